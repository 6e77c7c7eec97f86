// Steps several scenarios share, told as the user's actions.
import type { Page } from '@playwright/test';
import { BankConsentPage } from '../pages/bank-consent-page.js';
import { BankLoginPage } from '../pages/bank-login-page.js';
import { type ClientAuth, type Profile, TppConnectPage } from '../pages/tpp-connect-page.js';
import { TppConnectionPage } from '../pages/tpp-connection-page.js';
import { TppOnboardingPage } from '../pages/tpp-onboarding-page.js';
import type { Fixtures } from './fixtures.js';
import type { RunningSandbox } from './sandbox.js';

export const ALICE = { username: 'alice', password: 'wonderland' };

export async function onboard(page: Page, sandbox: RunningSandbox, step: Fixtures['step']): Promise<void> {
  const onboarding = new TppOnboardingPage(page);
  await step(
    'Open Moneywise and onboard it with the directory (SSA over mTLS, then DCR at the bank)',
    async () => {
      await onboarding.open(sandbox.config.tpp.web.origin);
      await onboarding.onboard();
    },
  );
}

/** From Moneywise's connect page to the bank's sign-in page. */
export async function startConnecting(
  page: Page,
  sandbox: RunningSandbox,
  step: Fixtures['step'],
  profile: Profile,
  clientAuth: ClientAuth,
): Promise<BankLoginPage> {
  const connect = new TppConnectPage(page);
  const login = new BankLoginPage(page);
  await step(
    `Choose ${profile} with ${clientAuth} and connect: Moneywise pushes the request (PAR)`,
    async () => {
      await connect.open(sandbox.config.tpp.web.origin);
      await connect.connect(profile, clientAuth);
      await login.expectShown(sandbox.config.bankOp.issuer);
    },
  );
  return login;
}

/** Connects with a profile and shares Alice's accounts; ends on the connection page. */
export async function connectAndShareAccounts(
  page: Page,
  sandbox: RunningSandbox,
  step: Fixtures['step'],
  profile: Profile,
  clientAuth: ClientAuth,
): Promise<TppConnectionPage> {
  const login = await startConnecting(page, sandbox, step, profile, clientAuth);
  const consent = new BankConsentPage(page);
  const connection = new TppConnectionPage(page);
  await step('Sign in at the bank as Alice, with her password and one-time passcode', async () => {
    await login.signIn(ALICE.username, ALICE.password);
    await consent.expectAsking('Moneywise');
  });
  await step('Allow Moneywise to see both of her accounts', async () => {
    await consent.allow([/Everyday/, /Rainy day/]);
    await connection.expectConnected();
  });
  return connection;
}
