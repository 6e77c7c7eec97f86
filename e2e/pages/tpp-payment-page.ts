import { expect, type Page } from '@playwright/test';

export interface Payee {
  name: string;
  sortCode: string;
  accountNumber: string;
  amount: string;
  reference: string;
}

/** Moneywise's payment form and its result after the bank's authorisation. */
export class TppPaymentPage {
  constructor(private readonly page: Page) {}

  /** The pay page's choice of how the bank asks the customer (FAPI 2.0 connections). */
  async chooseAuthorization(
    label: 'UK intent (consent created at the bank API)' | 'Rich authorization request (details in the PAR)',
  ): Promise<void> {
    await this.page.getByLabel(label).check();
  }

  async pay(payee: Payee): Promise<void> {
    await this.page.getByLabel('Payee name').fill(payee.name);
    await this.page.getByLabel('Sort code').fill(payee.sortCode);
    await this.page.getByLabel('Account number').fill(payee.accountNumber);
    await this.page.getByLabel('Amount (£)').fill(payee.amount);
    await this.page.getByLabel('Reference').fill(payee.reference);
    await this.page.getByTestId('payment-submit').click();
  }

  result() {
    return this.page.getByTestId('payment-result');
  }

  /** "Send it again (same idempotency key)": the bank's answer, as the live region announces it. */
  async sendAgain() {
    await this.page.getByRole('button', { name: 'Send it again (same idempotency key)' }).click();
    return this.page.getByTestId('resend-payment-result');
  }

  async expectBankStatus(status: RegExp): Promise<void> {
    await expect(this.page.getByTestId('payment-bank-status')).toHaveText(status, { timeout: 30_000 });
  }
}
