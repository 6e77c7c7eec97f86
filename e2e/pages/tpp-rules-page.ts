import { expect, type Locator, type Page } from '@playwright/test';

/** Moneywise's "Rules": every rule the bank and Moneywise enforce, with the attacks that demonstrate it. */
export class TppRulesPage {
  constructor(private readonly page: Page) {}

  /** Opens Moneywise's home page and follows the navigation's Rules link, as a learner would. */
  async openFromNav(tppOrigin: string): Promise<void> {
    await this.page.goto(tppOrigin);
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Rules' }).click();
    await expect(this.page).toHaveURL(`${tppOrigin}/rules`);
    await expect(this.count()).toBeVisible();
  }

  /** "N of M rules have an attack". */
  count(): Locator {
    return this.page.getByTestId('rules-count');
  }

  shown(): Locator {
    return this.page.getByTestId('rules-shown');
  }

  rules(): Locator {
    return this.page.getByTestId('rule');
  }

  rule(ref: string): Locator {
    return this.page.locator(`[data-testid="rule"][data-rule-ref="${ref}"]`);
  }

  sectionHeading(title: string): Locator {
    return this.page.getByRole('heading', { level: 2, name: title });
  }

  async filterByProfile(label: 'Every profile' | 'FAPI 2.0' | 'FAPI 1.0 Advanced'): Promise<void> {
    await this.page.getByLabel('Profile', { exact: true }).selectOption({ label });
  }

  async findText(text: string): Promise<void> {
    await this.page.getByLabel('Find a rule', { exact: true }).fill(text);
  }
}
