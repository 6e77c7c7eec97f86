import { TppAttackLab } from '../pages/tpp-attack-lab.js';
import type { ClientAuth, Profile } from '../pages/tpp-connect-page.js';
import { accessibilityViolations } from '../src/accessibility.js';
import { expect, test } from '../src/fixtures.js';
import { connectAndShareAccounts, onboard } from '../src/flows.js';

// The attack lab (issue #12): from the flow inspector, a learner resends one message of the connection with
// one thing wrong and watches the party that must refuse it do so, with the clause that says it must.
// Each attack is the scenario's name: what the bank (or Moneywise itself) stops.

interface AttackCase {
  /** The inspector message the attack bends. */
  message: string;
  attack: string;
  /** Who refuses it, as the result says. */
  refusedBy: RegExp;
  error: string;
  clause: string;
}

interface ProfileCase {
  title: string;
  profile: Profile;
  clientAuth: ClientAuth;
  attacks: AttackCase[];
  /** An attack the profiles stop differently: the result lists them side by side. */
  sideBySide?: string;
}

const BANK_OP = /bank’s authorization server/;
const BANK_API = /bank’s API/;
const MONEYWISE = /Moneywise itself/;

const CASES: ProfileCase[] = [
  {
    title: 'FAPI 2.0 with DPoP',
    profile: 'fapi2-dpop',
    clientAuth: 'private_key_jwt',
    attacks: [
      {
        message: 'Exchange the code for tokens',
        attack: 'code-reuse',
        refusedBy: BANK_OP,
        error: 'invalid_grant',
        clause: 'RFC 6749 §4.1.2',
      },
      {
        message: 'Exchange the code for tokens',
        attack: 'pkce-verifier-wrong',
        refusedBy: BANK_OP,
        error: 'invalid_grant',
        clause: 'RFC 7636',
      },
      {
        message: 'Read accounts',
        attack: 'dpop-proof-replayed',
        refusedBy: BANK_API,
        error: 'invalid_dpop_proof',
        clause: 'RFC 9449 §11.1',
      },
      {
        message: 'Create the account-access consent',
        attack: 'idempotency-key-reused',
        refusedBy: BANK_API,
        error: 'invalid_request',
        clause: 'Idempotency',
      },
    ],
  },
  {
    title: 'FAPI 2.0 with mTLS',
    profile: 'fapi2-mtls',
    clientAuth: 'tls_client_auth',
    attacks: [
      {
        message: 'Read accounts',
        attack: 'token-other-certificate',
        refusedBy: BANK_API,
        error: 'invalid_token',
        clause: 'RFC 8705 §3',
      },
      {
        message: 'Check the authorization response',
        attack: 'state-swapped',
        refusedBy: MONEYWISE,
        error: 'invalid_state',
        clause: 'RFC 6749 §10.12',
      },
      {
        message: 'Exchange the code for tokens',
        attack: 'code-injection',
        refusedBy: BANK_OP,
        error: 'invalid_grant',
        clause: 'RFC 7636',
      },
    ],
    sideBySide: 'state-swapped',
  },
  {
    title: 'FAPI 1.0 Advanced',
    profile: 'fapi1-advanced',
    clientAuth: 'private_key_jwt',
    attacks: [
      {
        message: 'Push the authorization request (PAR)',
        attack: 'request-object-unsigned',
        refusedBy: BANK_OP,
        error: 'invalid_request_object',
        clause: 'FAPI 1.0 Adv §8.6-1',
      },
      {
        message: 'Check the authorization response',
        attack: 'mix-up-iss',
        refusedBy: MONEYWISE,
        error: 'invalid_request',
        clause: 'RFC 7515 §5.2',
      },
      {
        message: 'Read accounts',
        attack: 'token-without-binding',
        refusedBy: BANK_API,
        error: 'invalid_token',
        clause: 'RFC 8705 §3',
      },
    ],
    sideBySide: 'mix-up-iss',
  },
];

for (const { title, profile, clientAuth, attacks, sideBySide } of CASES) {
  test(`With ${title}, every attack from the inspector is refused by the party that must: ${attacks.map((a) => a.attack).join(', ')}`, async ({
    page,
    sandbox,
    step,
  }) => {
    test.setTimeout(300_000);
    await onboard(page, sandbox, step);
    await connectAndShareAccounts(page, sandbox, step, profile, clientAuth);
    const lab = new TppAttackLab(page);
    await step('Open the Attacks section: it leads to the flow inspector', async () => {
      await expect(page.getByRole('heading', { name: 'Attacks' })).toBeVisible();
      await page.getByTestId('open-attacks').click();
      await expect(page.getByTestId('timeline-entry').first()).toBeVisible();
    });
    let checkedResult = false;
    for (const { message, attack, refusedBy, error, clause } of attacks) {
      await step(`Select “${message}” and run the attack ${attack}`, async () => {
        await lab.select(message);
        if (attack === sideBySide) {
          // The profiles stop it differently: their refusals stand side by side, Baseline's and opaque tokens' among them.
          const table = lab.attack(attack).getByTestId('attack-profiles');
          await expect(table.getByRole('row')).toHaveCount(6);
          await expect(table.getByRole('row', { name: /opaque tokens/ })).toBeVisible();
          await expect(table.getByRole('row', { name: /FAPI 1\.0 Advanced/ })).toBeVisible();
          await expect(table.getByRole('row', { name: /FAPI 1\.0 Baseline/ })).toBeVisible();
        }
        const result = await lab.run(attack);
        await expect(result).toHaveAttribute('data-refused', 'true');
        await expect(result.getByRole('heading', { level: 4 })).toHaveText(refusedBy);
        await expect(result.getByTestId('attack-error')).toHaveText(error);
        await expect(result.getByTestId('attack-clause')).toContainText(clause);
        await expect(result.getByTestId('attack-threat')).toContainText('Without this rule:');
        await expect(result.getByTestId('attack-fix')).toContainText('Fix:');
        await expect(result).toHaveAttribute('data-matched', 'true');
        // The run's messages are in the timeline now, under the Attacks heading.
        await expect(lab.attackMessages().first()).toBeVisible();
        if (!checkedResult) {
          // The page was checked when the inspector opened; the result panel is new: axe checks it too.
          expect(await accessibilityViolations(page, new Set())).toEqual([]);
          // On a 390 px phone the result, the changes and the profiles' table fit without sideways scrolling.
          const viewport = page.viewportSize();
          await page.setViewportSize({ width: 390, height: 900 });
          await expect(result).toBeVisible();
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
          if (viewport) await page.setViewportSize(viewport);
          checkedResult = true;
        }
      });
    }
    await step('Every attack run is listed under “Attacks” in the timeline', async () => {
      const titles = await lab.attackMessages().locator('.timeline-title').allTextContents();
      for (const { attack } of attacks) {
        const verdict = titles.filter((t) => t.startsWith('Attack: ') && t.endsWith(' — refused'));
        expect(verdict.length, `${attack}'s verdict in the timeline`).toBeGreaterThan(0);
      }
      expect(titles.filter((t) => t.endsWith('(bent)')).length).toBeGreaterThan(0);
    });
  });
}
