import { expect, type Locator, type Page } from '@playwright/test';

/** A connection at Moneywise: the accounts the customer shared, balances, transactions, disconnect. */
export class TppConnectionPage {
  constructor(private readonly page: Page) {}

  async expectConnected(): Promise<void> {
    await this.page.waitForURL(/\/connections\/[^/]+$/, { timeout: 30_000 });
    await expect(this.page.getByTestId('connection-status')).toHaveAttribute('data-status', 'active');
  }

  accounts() {
    return this.page.getByTestId('account-list').getByTestId('account');
  }

  async openAccount(name: RegExp): Promise<void> {
    await this.accounts().filter({ hasText: name }).click();
  }

  /** The balance shown for the open account, in pounds. */
  async balance(): Promise<number> {
    const balance = this.page.getByTestId('balance');
    await expect(balance).toContainText(/\d/);
    const text = (await balance.textContent()) ?? '';
    const amount = text.replace(/[^0-9.-]/g, '');
    return Number(amount);
  }

  transactions() {
    return this.page.getByTestId('transactions').getByTestId('transaction');
  }

  async startPayment(): Promise<void> {
    await this.page.getByTestId('open-payment').click();
  }

  async openInspector(): Promise<void> {
    await this.page.getByTestId('open-inspector').click();
  }

  async disconnect(): Promise<void> {
    await this.page.getByTestId('disconnect-button').click();
    await expect(this.page.getByTestId('disconnect-result')).toBeVisible({ timeout: 30_000 });
  }

  /** What the bank's API answered when Moneywise retried the old token after disconnecting. */
  async oldTokenStatus(): Promise<number> {
    return Number(await this.page.getByTestId('disconnect-result').getAttribute('data-old-token-status'));
  }

  /** Why the bank's API refused the old token (its error_description). */
  oldTokenRefusal(): Locator {
    return this.page.getByTestId('old-token-refusal');
  }
}
