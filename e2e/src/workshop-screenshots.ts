// The workshop's screenshots (docs/workshop/img/<image>.png): chosen frames of the existing scenarios, written
// when the scenarios run with WORKSHOP_SCREENSHOTS=1 (`pnpm demo`, and `pnpm --filter @fapi-sandbox/e2e run
// workshop:screenshots`, which runs only the scenarios below). Each lab shows what the code does today.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WorkshopShot {
  /** The file name under docs/workshop/img, without `.png`. */
  image: string;
  /** The spec file under e2e/tests. */
  spec: string;
  /** A part of the test's title that picks one test of the spec. */
  test: string;
  /** The start of the step's caption: the frame is taken when that step's last check passed. */
  step: string;
}

export const WORKSHOP_SHOTS: readonly WorkshopShot[] = [
  {
    image: 'tpp-onboarding',
    spec: 'onboarding.spec.ts',
    test: 'Moneywise onboards',
    step: 'Open Moneywise, the demo TPP, on its onboarding page',
  },
  {
    image: 'tpp-onboarded',
    spec: 'onboarding.spec.ts',
    test: 'Moneywise onboards',
    step: 'Every step is done, and the bank issued a client per way of connecting',
  },
  {
    image: 'bank-sign-in',
    spec: 'connect-and-read-accounts.spec.ts',
    test: 'FAPI 2.0 with DPoP-bound tokens',
    step: 'Choose fapi2-dpop with private_key_jwt and connect',
  },
  {
    image: 'bank-consent',
    spec: 'connect-and-read-accounts.spec.ts',
    test: 'FAPI 2.0 with DPoP-bound tokens',
    step: 'Sign in at the bank as Alice',
  },
  {
    image: 'tpp-accounts',
    spec: 'connect-and-read-accounts.spec.ts',
    test: 'FAPI 2.0 with DPoP-bound tokens',
    step: 'Moneywise calls the bank API with the bound token',
  },
  {
    image: 'inspector-dpop-binding',
    spec: 'connect-and-read-accounts.spec.ts',
    test: 'FAPI 2.0 with DPoP-bound tokens',
    step: 'The flow inspector shows every message',
  },
  {
    image: 'inspector-mtls-binding',
    spec: 'connect-and-read-accounts.spec.ts',
    test: 'FAPI 2.0 with mTLS-bound tokens',
    step: 'The flow inspector shows every message',
  },
  {
    image: 'inspector-fapi1-advanced',
    spec: 'connect-and-read-accounts.spec.ts',
    test: 'FAPI 1.0 Advanced with a signed request object and JARM',
    step: 'The flow inspector shows every message',
  },
  {
    image: 'attack-code-reuse-refused',
    spec: 'attack-lab.spec.ts',
    test: 'With FAPI 2.0 with DPoP,',
    step: 'Select “Exchange the code for tokens” and run the attack code-reuse',
  },
  {
    image: 'rules-attack',
    spec: 'rules-page.spec.ts',
    test: 'The Rules page lists every rule',
    step: 'Follow an attack link to the attack',
  },
  {
    image: 'directory-certificate-revoked',
    spec: 'directory-revokes-certificate.spec.ts',
    test: "The directory revokes Moneywise's transport certificate",
    step: "The directory's administrator revokes Moneywise's transport certificate",
  },
  {
    image: 'bank-refuses-revoked-certificate',
    spec: 'directory-revokes-certificate.spec.ts',
    test: "The directory revokes Moneywise's transport certificate",
    step: 'Moneywise tries to connect again: the bank refuses the revoked certificate',
  },
  {
    image: 'payment-dynamic-linking',
    spec: 'domestic-payment.spec.ts',
    test: 'Alice pays £12.34 through Moneywise',
    step: 'The bank asks Alice to sign in again',
  },
  {
    image: 'payment-accepted',
    spec: 'domestic-payment.spec.ts',
    test: 'Alice pays £12.34 through Moneywise',
    step: 'Moneywise submits the payment with an idempotency key',
  },
  {
    image: 'portal-software-bundle',
    spec: 'developer-portal.spec.ts',
    test: 'A learner signs up at the developer portal',
    step: 'The learner downloads the client bundle',
  },
];

/** Where the labs look for their images. */
export const WORKSHOP_IMAGE_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../docs/workshop/img',
);

/** The frames are 1440 px wide (a laptop screen, readable on a projector); the phone-width checks set their own. */
export const WORKSHOP_VIEWPORT = { width: 1440, height: 900 };

export function workshopScreenshotsWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.WORKSHOP_SCREENSHOTS === '1';
}

/** The workshop shot a step of a test produces, if any. */
export function workshopShotFor(
  specFile: string,
  testTitle: string,
  stepCaption: string,
): WorkshopShot | undefined {
  return WORKSHOP_SHOTS.find(
    (shot) =>
      path.basename(specFile) === shot.spec &&
      testTitle.includes(shot.test) &&
      stepCaption.startsWith(shot.step),
  );
}
