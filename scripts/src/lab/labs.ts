// The workshop's labs (docs/workshop/lab-0N-*.md) and, for each, the evidence in the running sandbox that a
// learner did it. Labs 2–7 run as the demo TPP (Moneywise) and are read with its transport certificate;
// lab 8 is the learner's own software, read with the transport certificate of their client bundle.
import type { ClientBundle } from '@fapi-sandbox/fapi-core/client-bundle';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import {
  boundApiCall,
  boundTokenIssued,
  type Evidence,
  findEvidence,
  idempotentRetry,
  jarmResponse,
  paymentMade,
  refusedWithClause,
  registered,
  signedRequestObject,
  ssaFetched,
  type TraceEvidence,
} from './evidence.js';
import { partyHealth, pkiFreshness } from './health.js';
import type { TraceRead } from './traces.js';

/** Where a lab check reads from, each read at most once per run. */
export interface LabSources {
  config: SandboxConfig;
  /** The demo TPP's (Moneywise's) events at every party. */
  demoTraffic(): Promise<TraceRead>;
  /** The learner's events, read with their bundle's certificate; undefined without a bundle. */
  learnerTraffic(): Promise<TraceRead | undefined>;
  bundle?: ClientBundle;
}

export interface Lab {
  id: number;
  slug: string;
  title: string;
  /** The lab's text, from the repository root. */
  file: string;
  check(sources: LabSources): Promise<Evidence[]>;
}

const TPP = 'in the demo TPP (pnpm open)';

/** Evidence from the demo TPP's traffic. */
const inDemoTraffic =
  (...wanted: TraceEvidence[]) =>
  async (sources: LabSources): Promise<Evidence[]> => {
    const read = await sources.demoTraffic();
    return wanted.map((piece) => findEvidence(read, piece));
  };

async function ecosystemEvidence(sources: LabSources): Promise<Evidence[]> {
  const [health, pki] = await Promise.all([partyHealth(sources.config), pkiFreshness(sources.config)]);
  return [
    ...health.map(({ party, url, healthy, detail }) => ({
      what: `${party.title} answers over TLS verified against the sandbox CA`,
      found: healthy,
      detail: `${url}: ${detail}`,
      howTo: 'start the sandbox with pnpm dev and wait for its ready table',
    })),
    {
      what: 'the sandbox PKI is complete and current',
      found: pki.fresh,
      detail: pki.detail,
      howTo: 'run pnpm pki:ensure (pnpm dev does it too); pnpm pki regenerates everything',
    },
  ];
}

async function ownClientEvidence(sources: LabSources): Promise<Evidence[]> {
  const howToBundle =
    'sign up at the directory’s developer portal, register your software, download its client bundle and pass it: pnpm lab check 8 --bundle <softwareId>.bundle.json';
  const read = await sources.learnerTraffic();
  const wanted = [
    ssaFetched('your client fetches its SSA from the bundle’s endpoints.ssa with its transport certificate'),
    registered(
      'your client registers at bank-op’s registration endpoint (mTLS) with the SSA, private_key_jwt or tls_client_auth and your jwks_uri',
    ),
    boundApiCall(
      'either',
      'your client reads GET /open-banking/v3.1/aisp/accounts with a DPoP- or certificate-bound token after the customer consents',
      { accounts: true },
    ),
  ];
  if (!read) {
    return wanted.map((piece) => ({
      what: piece.what,
      found: false,
      detail: 'no client bundle given: the lab reads your own traffic with your own transport certificate',
      howTo: howToBundle,
    }));
  }
  return wanted.map((piece) => findEvidence(read, piece));
}

export const LABS: readonly Lab[] = [
  {
    id: 1,
    slug: 'ecosystem',
    title: 'The ecosystem and its PKI',
    file: 'docs/workshop/lab-01-ecosystem.md',
    check: ecosystemEvidence,
  },
  {
    id: 2,
    slug: 'onboarding',
    title: 'Onboarding: SSA and DCR',
    file: 'docs/workshop/lab-02-onboarding.md',
    check: inDemoTraffic(
      ssaFetched(`connect to the bank ${TPP}, or run a flow client: the TPP fetches its SSA first`),
      registered(`connect to the bank ${TPP}: the TPP registers with its SSA (DCR)`),
    ),
  },
  {
    id: 3,
    slug: 'fapi2-dpop',
    title: 'FAPI 2.0 with DPoP',
    file: 'docs/workshop/lab-03-fapi2-dpop.md',
    check: inDemoTraffic(
      boundTokenIssued('jkt', `connect with "FAPI 2.0 + DPoP" ${TPP} and let the customer consent`),
      boundApiCall('jkt', `read the accounts of the FAPI 2.0 + DPoP connection ${TPP}`, { accounts: true }),
    ),
  },
  {
    id: 4,
    slug: 'fapi2-mtls',
    title: 'FAPI 2.0 with mTLS and cnf',
    file: 'docs/workshop/lab-04-fapi2-mtls.md',
    check: inDemoTraffic(
      boundTokenIssued('x5t#S256', `connect with "FAPI 2.0 + mTLS" ${TPP} and let the customer consent`),
      boundApiCall('x5t#S256', `read the accounts of the FAPI 2.0 + mTLS connection ${TPP}`, {
        accounts: true,
      }),
    ),
  },
  {
    id: 5,
    slug: 'fapi1-advanced',
    title: 'FAPI 1.0 Advanced with JAR and JARM',
    file: 'docs/workshop/lab-05-fapi1-advanced.md',
    check: inDemoTraffic(
      signedRequestObject(
        `connect with "FAPI 1.0 Advanced" ${TPP}: its request goes as a signed request object`,
      ),
      jarmResponse(
        `let the customer consent to the FAPI 1.0 Advanced connection ${TPP}: the bank answers with JARM`,
      ),
      boundTokenIssued(
        'x5t#S256',
        'finish the FAPI 1.0 Advanced flow: the code becomes a certificate-bound token',
      ),
    ),
  },
  {
    id: 6,
    slug: 'attack-lab',
    title: 'The attack lab',
    file: 'docs/workshop/lab-06-attack-lab.md',
    check: inDemoTraffic(
      refusedWithClause(
        `run an attack from the TPP's "Try to break it" panel, or from a terminal: pnpm attack code-reuse`,
      ),
    ),
  },
  {
    id: 7,
    slug: 'payments',
    title: 'Payments: dynamic linking and idempotency',
    file: 'docs/workshop/lab-07-payments.md',
    check: inDemoTraffic(
      paymentMade(`make a domestic payment ${TPP} and let the customer approve it`),
      idempotentRetry(
        'press Send it again (same idempotency key) on the payment in Moneywise (or send POST /pisp/domestic-payments again with the same x-idempotency-key and the same body, as a client retrying after a lost answer does): the bank must answer with the same payment, not pay twice',
      ),
    ),
  },
  {
    id: 8,
    slug: 'own-client',
    title: 'Write your own client',
    file: 'docs/workshop/lab-08-own-client.md',
    check: ownClientEvidence,
  },
];

/** A lab by its number ("3") or slug ("fapi2-dpop"). */
export function labByName(name: string): Lab | undefined {
  return LABS.find((lab) => String(lab.id) === name || lab.slug === name);
}
