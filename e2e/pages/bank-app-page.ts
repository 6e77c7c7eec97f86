import { expect, type Page } from '@playwright/test';
import { submit } from './submit.js';

/** The bank's app (bank-op /bank-app), the customer's phone in decoupled authentication (CIBA §8). */
export class BankAppPage {
  constructor(private readonly page: Page) {}

  async signIn(username: string, password: string): Promise<void> {
    await expect(this.page.getByRole('heading', { name: /app$/ })).toBeVisible();
    await this.page.getByLabel('Username').fill(username);
    await this.page.getByLabel('Password').fill(password);
    await submit(this.page, this.page.getByRole('button', { name: 'Sign in to the app' }));
  }

  /** The waiting request that shows this binding message. */
  request(bindingMessage: string) {
    return this.page
      .getByTestId('bank-app-request')
      .filter({ has: this.page.getByTestId('binding-message').getByText(bindingMessage, { exact: true }) });
  }

  async approve(bindingMessage: string, accounts: RegExp[]): Promise<void> {
    const request = this.request(bindingMessage);
    for (const account of accounts) await request.getByLabel(account).check();
    await submit(this.page, request.getByRole('button', { name: 'Approve' }));
    await expect(this.page.getByRole('status')).toContainText('Request approved.');
  }
}
