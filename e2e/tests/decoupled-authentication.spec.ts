// Decoupled authentication (FAPI-CIBA, an option of FAPI 1.0 Advanced): the learner starts a connection at
// Moneywise with no redirect, naming Alice; Alice's phone is the bank app, opened in a second tab. She
// sees the same binding message Moneywise shows, approves, and Moneywise (polling the bank at its
// interval) shows the connection and her accounts; the inspector names each CIBA step. The waiting page,
// the bank app and the inspector fit 1440 and 390 px, and axe finds nothing on any of them.
import type { Page } from '@playwright/test';
import { BankAppPage } from '../pages/bank-app-page.js';
import { TppConnectionPage } from '../pages/tpp-connection-page.js';
import { TppDecoupledPage } from '../pages/tpp-decoupled-page.js';
import { TppInspectorPage } from '../pages/tpp-inspector-page.js';
import { expectUsableAtWidths } from '../src/accessibility.js';
import { expect, test } from '../src/fixtures.js';
import { ALICE, onboard } from '../src/flows.js';

/** The titles of the connection's inspector entries, as the TPP's JSON API answers the page itself. */
function traceTitles(page: Page, connectionId: string): Promise<string[]> {
  return page.evaluate(async (path) => {
    const trace = (await (await fetch(path)).json()) as { entries: { title: string }[] };
    return trace.entries.map((entry) => entry.title);
  }, `/api/connections/${connectionId}/trace`);
}

test('Alice approves on her bank app a connection Moneywise started with no redirect (FAPI-CIBA, polled); the binding message matches on both screens', async ({
  page,
  sandbox,
  step,
}) => {
  const origin = sandbox.config.tpp.web.origin;
  await onboard(page, sandbox, step);
  const decoupled = new TppDecoupledPage(page);
  const bindingMessage = await step(
    'Connect with no redirect: name Alice, keep the binding message, and ask the bank (signed CIBA request)',
    async () => {
      await decoupled.open(origin);
      return decoupled.ask(ALICE.username, 'poll');
    },
  );
  await step('Moneywise shows the binding message and polls the bank at the interval it set', async () => {
    await expect(decoupled.bindingMessage()).toHaveText(bindingMessage);
    await expect(decoupled.waitingStatus()).toContainText('polls the bank every 5 s');
    // Alice has not answered yet: the bank says so to Moneywise's first poll.
    await expect
      .poll(async () => traceTitles(page, decoupled.connectionId()), { timeout: 15_000 })
      .toContain('Poll: authorization_pending (the customer has not answered yet)');
  });
  await step('The waiting page fits 1440 and 390 px, and axe finds nothing', () =>
    expectUsableAtWidths(page, decoupled.bindingMessage(), {
      screenshotPath: (width) => test.info().outputPath(`decoupled-waiting-${width}.png`),
    }),
  );

  const phone = await step('Open the bank app in a new tab: it stands for Alice’s phone', () =>
    decoupled.openBankApp(),
  );
  const app = new BankAppPage(phone);
  await step(
    'Alice signs in to the app and sees Moneywise’s request with the same binding message',
    async () => {
      await app.signIn(ALICE.username, ALICE.password);
      await expect(app.request(bindingMessage)).toBeVisible();
      await expect(app.request(bindingMessage)).toContainText(
        'Moneywise wants to see your account information',
      );
    },
  );
  await step('The bank app fits 1440 and 390 px, and axe finds nothing', () =>
    expectUsableAtWidths(phone, app.request(bindingMessage), {
      screenshotPath: (width) => test.info().outputPath(`bank-app-${width}.png`),
    }),
  );
  await step('Alice approves for both accounts', async () => {
    await app.approve(bindingMessage, [/Everyday/, /Rainy day/]);
  });

  const connection = new TppConnectionPage(page);
  await step(
    'Moneywise’s next poll collects the tokens: the connection is made and lists her accounts',
    async () => {
      await connection.expectConnected();
      await expect(connection.accounts()).toHaveCount(2);
    },
  );
  const inspector = new TppInspectorPage(page);
  await step('The inspector names each CIBA step, with its clause', async () => {
    await connection.openInspector();
    await expect(inspector.entries().filter({ hasText: 'CIBA backchannel request' })).toHaveCount(1);
    await expect(
      inspector.entries().filter({ hasText: 'acknowledgement (auth_req_id, interval)' }),
    ).toHaveCount(1);
    await expect(
      inspector.entries().filter({ hasText: 'Poll: authorization_pending' }).first(),
    ).toBeVisible();
    await inspector.open(/Collect the tokens \(CIBA grant\)/);
    await expect(inspector.detail()).toContainText('CIBA §10.1, §10.1.1');
    await expect(inspector.binding()).toHaveAttribute('data-matches', 'true');
  });
  await step('The inspector fits 1440 and 390 px, and axe finds nothing', () =>
    expectUsableAtWidths(page, inspector.detail(), {
      screenshotPath: (width) => test.info().outputPath(`inspector-ciba-${width}.png`),
    }),
  );
});
