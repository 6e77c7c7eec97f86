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
    options: {
      encryptRequestObject?: boolean;
      encryptIdToken?: boolean;
      encryptJarm?: boolean;
      /** RFC 9396: ask for account access by account_information details, without these actions. */
      authorizationDetailsWithout?: ('list_accounts' | 'read_balances' | 'read_transactions')[];
    } = {},
  ): Promise<void> {
    await this.page.getByTestId(`profile-${profile}`).check();
    await this.page.getByTestId(`client-auth-${clientAuth}`).check();
    if (options.authorizationDetailsWithout) {
      await this.chooseRichAuthorization();
      for (const action of options.authorizationDetailsWithout)
        await this.page.getByTestId(`action-${action}`).uncheck();
    }
    if (options.encryptRequestObject) await this.page.getByTestId('option-encrypt-request-object').check();
    if (options.encryptIdToken) await this.page.getByTestId('option-encrypt-id-token').check();
    if (options.encryptJarm) await this.page.getByTestId('option-encrypt-jarm').check();
    await this.page.getByTestId('connect-button').click();
  }

  /** "Rich authorization request (account_information details in the PAR)" (FAPI 2.0 only). */
  async chooseRichAuthorization(): Promise<void> {
    await this.page.getByTestId('authorization-authorization-details').check();
    await expect(this.page.getByTestId('account-actions')).toBeVisible();
  }

  form() {
    return this.page.getByTestId('connect-form');
  }
}
