import { expect, type Page } from '@playwright/test';
import { submit } from './submit.js';

/** The bank's consent page: what the TPP asks for, which accounts to share, Allow or Deny. */
export class BankConsentPage {
  constructor(private readonly page: Page) {}

  async expectAsking(tppName: string): Promise<void> {
    await expect(this.page.getByRole('heading', { level: 1 })).toContainText(tppName);
  }

  async allow(accountNames: RegExp[]): Promise<void> {
    for (const name of accountNames) await this.page.getByLabel(name).check();
    await submit(this.page, this.page.getByRole('button', { name: 'Allow' }));
  }

  async confirmPayment(fromAccount: RegExp): Promise<void> {
    await this.page.getByLabel(fromAccount).check();
    await submit(this.page, this.page.getByRole('button', { name: 'Confirm payment' }));
  }

  async deny(): Promise<void> {
    await submit(this.page, this.page.getByRole('button', { name: 'Deny' }));
  }
}
