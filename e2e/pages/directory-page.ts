import { expect, type Page } from '@playwright/test';

/** The directory's web page, signed in as its administrator. */
export class DirectoryPage {
  constructor(private readonly page: Page) {}

  async signIn(directoryOrigin: string, credential: string, next = '/ui'): Promise<void> {
    await this.page.goto(`${directoryOrigin}/ui/login?next=${encodeURIComponent(next)}`);
    await this.page.getByLabel('Admin credential').fill(credential);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await expect(this.page.getByRole('button', { name: /Sign out/ })).toBeVisible();
  }

  async openSoftwareStatement(directoryOrigin: string, orgId: string, softwareId: string): Promise<void> {
    await this.page.goto(`${directoryOrigin}/ui/organisations/${orgId}/software-statements/${softwareId}`);
  }

  /** Suspends the software statement shown: its button is labelled with the statement's client name. */
  async suspendSoftwareStatement(clientName: string): Promise<void> {
    await this.page.getByRole('button', { name: `Suspend ${clientName}` }).click();
    await expect(this.page.getByRole('heading', { level: 1 })).toContainText(/suspended/i);
    await expect(this.page.getByRole('button', { name: `Reactivate ${clientName}` })).toBeVisible();
  }

  /**
   * Revokes the certificate whose x5t#S256 thumbprint is shown in its row: the page first asks, saying what
   * breaks and offering a reissue instead.
   */
  async revokeCertificate(x5tS256: string): Promise<void> {
    const row = this.page.getByRole('row').filter({ hasText: x5tS256 });
    await row.getByRole('link', { name: /Revoke certificate/ }).click();
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('Revoke certificate?');
    await expect(this.page.getByText(/the bank will refuse/)).toBeVisible();
    await expect(this.page.getByRole('link', { name: 'Reissue instead…' })).toBeVisible();
    await this.page.getByRole('button', { name: 'Revoke certificate' }).click();
    await expect(this.page.getByText(/Certificate revoked/)).toBeVisible();
    await expect(this.page.getByRole('row').filter({ hasText: x5tS256 })).toContainText(/revoked/i);
  }

  /**
   * Reissues the certificate in use whose thumbprint is shown: the page first asks, naming what is revoked.
   * Returns the thumbprint of the new certificate, the one now marked in use.
   */
  async reissueCertificate(x5tS256: string): Promise<string> {
    const row = this.page.getByRole('row').filter({ hasText: x5tS256 });
    await row.getByRole('link', { name: /Reissue certificate/ }).click();
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('Reissue certificate?');
    await expect(this.page.getByText(/the demo TPP uses them at its next call/)).toBeVisible();
    await this.page.getByRole('button', { name: /Reissue/ }).click();
    await expect(this.page.getByText(/Certificate reissued/)).toBeVisible();
    await expect(this.page.getByRole('row').filter({ hasText: x5tS256 })).toContainText(/revoked|superseded/);
    const current = this.page.getByRole('row').filter({ hasText: 'in use' }).filter({ hasText: 'transport' });
    await expect(current).toContainText('active');
    return ((await current.locator('td').nth(2).textContent()) ?? '').trim();
  }
}
