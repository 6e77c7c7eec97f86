import { expect, type Page } from '@playwright/test';

/**
 * Moneywise's decoupled connection (FAPI-CIBA): the start page (the customer's username, the binding
 * message, poll or ping) and the waiting page that shows the binding message and opens the bank app.
 */
export class TppDecoupledPage {
  constructor(private readonly page: Page) {}

  /** From the Connect page's link, as a learner finds it. */
  async open(tppOrigin: string): Promise<void> {
    await this.page.goto(`${tppOrigin}/connect`);
    await this.page.getByTestId('decoupled-link').click();
    await expect(this.page.getByTestId('decoupled-form')).toBeVisible();
  }

  /** Asks the bank; ends on the waiting page. Returns the binding message Moneywise sent. */
  async ask(username: string, mode: 'poll' | 'ping'): Promise<string> {
    await this.page.getByLabel('Customer’s username at the bank').fill(username);
    await this.page.getByTestId(`mode-${mode}`).check();
    const bindingMessage = await this.page.getByTestId('binding-message-input').inputValue();
    await this.page.getByTestId('decoupled-button').click();
    await this.page.waitForURL(/\/connections\/[^/]+\/decoupled$/);
    await expect(this.page.getByRole('heading', { name: 'Approve on your bank app' })).toBeVisible();
    return bindingMessage;
  }

  connectionId(): string {
    return /\/connections\/([^/]+)\/decoupled$/.exec(new URL(this.page.url()).pathname)?.[1] ?? '';
  }

  bindingMessage() {
    return this.page.getByTestId('binding-message');
  }

  waitingStatus() {
    return this.page.getByTestId('waiting-status');
  }

  /** The bank app opens in a new tab: the customer's phone. */
  async openBankApp(): Promise<Page> {
    const [phone] = await Promise.all([
      this.page.context().waitForEvent('page'),
      this.page.getByTestId('open-bank-app').click(),
    ]);
    await phone.waitForLoadState();
    return phone;
  }
}
