import { expect, type Locator, type Page } from '@playwright/test';

/** "Try to break it" in the inspector: the attacks beside the selected message, and a run's result. */
export class TppAttackLab {
  constructor(private readonly page: Page) {}

  /** Selects the connection's own message of this title (not an attack run's resend of it). */
  async select(title: string): Promise<void> {
    const exact = this.page.locator('.timeline-title').getByText(title, { exact: true });
    await this.page.getByTestId('timeline-entry').filter({ has: exact }).first().click();
    await expect(this.page.getByTestId('timeline-detail').getByRole('heading', { level: 2 })).toHaveText(
      title,
    );
    await expect(this.panel()).toBeVisible();
  }

  panel(): Locator {
    return this.page.getByTestId('attack-panel');
  }

  attack(id: string): Locator {
    return this.panel().locator(`[data-testid="attack"][data-attack-id="${id}"]`);
  }

  /** Runs an attack and waits for its result (each run signs Alice in at the bank again). */
  async run(id: string): Promise<Locator> {
    await this.attack(id).getByTestId('attack-run').click();
    const result = this.panel().locator(`[data-testid="attack-result"][data-attack="${id}"]`);
    await expect(result).toBeVisible({ timeout: 60_000 });
    return result;
  }

  /** The messages of attack runs, listed under the Attacks heading of the timeline. */
  attackMessages(): Locator {
    return this.page.locator(
      '[data-testid="timeline-phase"][data-phase="attacks"] [data-testid="timeline-entry"]',
    );
  }
}
