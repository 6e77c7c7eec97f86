import fs from 'node:fs';
import type { ClientBundle } from '@fapi-sandbox/fapi-core/client-bundle';
import { expect, type Page } from '@playwright/test';

/** The directory's developer portal (/portal), as a learner who brings their own client uses it. */
export class DeveloperPortalPage {
  constructor(private readonly page: Page) {}

  async open(directoryOrigin: string): Promise<void> {
    await this.page.goto(`${directoryOrigin}/portal`);
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText('Developer portal');
  }

  /** Signs up an organisation; the next page shows the developer token once. Returns the token. */
  async signUp(inviteCode: string, orgName: string): Promise<string> {
    await this.page.getByLabel('Invite code').fill(inviteCode);
    await this.page.getByLabel('Organisation name').fill(orgName);
    await this.page.getByRole('button', { name: 'Sign up' }).click();
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText(orgName);
    const token = this.page.getByLabel('Developer token', { exact: true });
    await expect(token).toContainText(/^fdt_/);
    return (await token.textContent())!.trim();
  }

  async registerSoftware(clientName: string, redirectUri: string): Promise<void> {
    await this.page.getByLabel('Client name').fill(clientName);
    await this.page.getByLabel('Redirect URIs (https, one per line)').fill(redirectUri);
    await this.page.getByRole('button', { name: 'Register software' }).click();
    await expect(this.page.getByRole('status')).toContainText('Software statement registered');
    await expect(this.page.getByRole('heading', { level: 3, name: clientName })).toBeVisible();
  }

  /** Downloads the software's client bundle and returns it parsed. */
  async downloadBundle(clientName: string): Promise<{ fileName: string; bundle: ClientBundle }> {
    const download = this.page.waitForEvent('download');
    await this.page.getByRole('button', { name: `Download client bundle for ${clientName}` }).click();
    const file = await download;
    const text = fs.readFileSync(await file.path(), 'utf8');
    return { fileName: file.suggestedFilename(), bundle: JSON.parse(text) as ClientBundle };
  }
}
