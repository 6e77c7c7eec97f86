import { expect, type Page } from '@playwright/test';

/** The flow inspector: every message of a connection across all parties, with what each check proves. */
export class TppInspectorPage {
  constructor(private readonly page: Page) {}

  entries() {
    return this.page.getByTestId('timeline-entry');
  }

  async open(entryText: RegExp): Promise<void> {
    await this.entries().filter({ hasText: entryText }).first().click();
    await expect(this.page.getByTestId('timeline-detail')).toBeVisible();
  }

  detail() {
    return this.page.getByTestId('timeline-detail');
  }

  sequenceDiagram() {
    return this.page.getByTestId('sequence-diagram');
  }

  /** Arrows of the sequence diagram between two lanes (browser, tpp, directory, bank-op, bank-api). */
  messages(from: string, to: string) {
    return this.sequenceDiagram().locator(
      `[data-testid="sequence-message"][data-from="${from}"][data-to="${to}"]`,
    );
  }

  /** The panel comparing the token's cnf with the key or certificate the caller presented. */
  binding() {
    return this.detail().getByTestId('timeline-binding');
  }

  /** The selected message's HTTP message signatures: keys, covered components, non-repudiation. */
  messageSignature() {
    return this.detail().getByTestId('message-signature');
  }

  /** The checks every party ran on the selected message. */
  checks() {
    return this.detail().getByTestId('timeline-checks');
  }
}
