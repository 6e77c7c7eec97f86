import { expect, type Page } from '@playwright/test';

export type Profile = 'fapi2-dpop' | 'fapi2-mtls' | 'fapi1-advanced' | 'fapi1-baseline';
export type ClientAuth = 'private_key_jwt' | 'tls_client_auth';

/** Moneywise's "Connect a bank": the learner picks a FAPI profile and how Moneywise authenticates. */
export class TppConnectPage {
  constructor(private readonly page: Page) {}

  async open(tppOrigin: string): Promise<void> {
    await this.page.goto(`${tppOrigin}/connect`);
    await expect(this.page.getByTestId('connect-form')).toBeVisible();
  }

  /** Starts the connection; the browser ends up at the bank's sign-in page. */
  async connect(
    profile: Profile,
    clientAuth: ClientAuth,
    options: { encryptRequestObject?: boolean; encryptIdToken?: boolean; encryptJarm?: boolean } = {},
  ): Promise<void> {
    await this.page.getByTestId(`profile-${profile}`).check();
    await this.page.getByTestId(`client-auth-${clientAuth}`).check();
    if (options.encryptRequestObject) await this.page.getByTestId('option-encrypt-request-object').check();
    if (options.encryptIdToken) await this.page.getByTestId('option-encrypt-id-token').check();
    if (options.encryptJarm) await this.page.getByTestId('option-encrypt-jarm').check();
    await this.page.getByTestId('connect-button').click();
  }
}
