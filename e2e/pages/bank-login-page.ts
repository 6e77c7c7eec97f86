import { expect, type Page } from '@playwright/test';
import { submit } from './submit.js';

/** The bank's sign-in page: username, password and a one-time passcode (two factors). */
export class BankLoginPage {
  constructor(private readonly page: Page) {}

  async expectShown(bankOrigin: string): Promise<void> {
    await this.page.waitForURL((url) => url.origin === bankOrigin);
    await expect(this.page.getByLabel('Username')).toBeVisible();
  }

  /** The sandbox shows the passcode it "sent" to the customer's phone. */
  async passcode(): Promise<string> {
    return ((await this.page.getByTestId('otp').textContent()) ?? '').trim();
  }

  /** The simulated phone's message: for a payment it names the amount and the payee (dynamic linking). */
  passcodeMessage() {
    return this.page.getByTestId('otp-message');
  }

  async signIn(username: string, password: string): Promise<void> {
    const otp = await this.passcode();
    await this.page.getByLabel('Username').fill(username);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByLabel('One-time passcode').fill(otp);
    await submit(this.page, this.page.getByRole('button', { name: 'Sign in' }));
  }

  error() {
    return this.page.getByRole('alert');
  }
}
