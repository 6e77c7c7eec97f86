import { expect, type Page } from '@playwright/test';

/** Moneywise's onboarding: SSA from the directory, the bank from the participants list, DCR at the bank. */
export class TppOnboardingPage {
  constructor(private readonly page: Page) {}

  async open(tppOrigin: string): Promise<void> {
    await this.page.goto(`${tppOrigin}/onboarding`);
    await expect(this.page.getByRole('heading', { name: 'Onboarding', level: 1 })).toBeVisible();
  }

  async onboard(): Promise<void> {
    await this.page.getByTestId('onboard-button').click();
    await expect(this.page.getByTestId('onboarding-status')).toHaveAttribute('data-status', /done|failed/, {
      timeout: 30_000,
    });
  }

  step(id: 'ssa' | 'ssa-verify' | 'participants' | 'discovery' | 'register') {
    return this.page.getByTestId(`onboarding-step-${id}`);
  }

  registrations() {
    return this.page.getByTestId('registrations').locator('tbody tr');
  }
}
