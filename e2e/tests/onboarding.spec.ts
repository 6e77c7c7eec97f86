import { TppOnboardingPage } from '../pages/tpp-onboarding-page.js';
import { expect, test } from '../src/fixtures.js';

// The first onboarding of the seeded sandbox: the bank registers every client anew.
test.use({ freshSandbox: true });

test('Moneywise onboards: its SSA from the directory, the bank from the participants list, a client by DCR', async ({
  page,
  sandbox,
  step,
}) => {
  const onboarding = new TppOnboardingPage(page);
  await step('Open Moneywise, the demo TPP, on its onboarding page', () =>
    onboarding.open(sandbox.config.tpp.web.origin),
  );
  await step(
    'Onboard: Moneywise fetches its SSA with its transport certificate and registers at the bank',
    () => onboarding.onboard(),
  );
  await step('Every step is done, and the bank issued a client per way of connecting', async () => {
    for (const id of ['ssa', 'ssa-verify', 'participants', 'discovery', 'register'] as const) {
      await expect(onboarding.step(id)).toHaveAttribute('data-status', 'done');
    }
    await expect(onboarding.registrations()).toHaveCount(10);
    await expect(onboarding.registrations().first()).toContainText('registered');
  });
  await step('Onboarding again reuses the registrations the bank still knows', async () => {
    await onboarding.onboard();
    await expect(onboarding.registrations().first()).toContainText('reused');
  });
});
