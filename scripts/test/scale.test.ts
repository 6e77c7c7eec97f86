// A room's worth of learners at once against `pnpm dev --replicas 2` (two bank-op and two bank-api
// processes sharing Redis and the data folder): 100 distinct software statements onboarded up front
// through the directory's developer portal API, then 100 concurrent flows, each connecting (SSA, DCR),
// reading accounts and making a payment, FAPI 2.0 with DPoP or with mTLS-bound tokens. Mid-run one
// bank-op replica and then one bank-api replica are killed with SIGKILL.
//
// What a client does when a connection dies under a request (no HTTP answer) is what any client does:
// it tries again, from a point where trying again is safe. Authorising is begun again (a new consent,
// a new pushed request, a new sign-in); a payment is sent again with the same idempotency key and the
// same token, never under a new consent. So: every flow completes, no payment is booked twice, and a
// DPoP proof replayed against whichever replica is refused. The retries are counted and printed.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { SEED_CUSTOMERS } from '@fapi-sandbox/bank-domain';
import { type AccessToken, FapiFlowClient, FLOW_VARIANTS } from '@fapi-sandbox/fapi-client';
import type { Participant } from '@fapi-sandbox/fapi-core/config';
import { type DpopKey, generateDpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debitsPerPayment } from './support/bank-ledger.js';
import { type DevRun, lastPidOf, startDev, stopDevRuns, until } from './support/dev-run.js';
import { sendDpopProofTwice } from './support/dpop-replay.js';
import { customerConsents } from './support/journey.js';
import { participantFromBundle, signUpOrganisation, softwareBundle } from './support/learner-bundle.js';
import { paymentConsent, submitPayment } from './support/payment.js';

const LEARNERS = 100;
/** The portal's limit per organisation (MAX_SOFTWARE_PER_ORGANISATION): five organisations of twenty. */
const SOFTWARE_PER_ORGANISATION = 20;
/** How many learners are past reading their accounts when each replica is killed. */
const KILL_BANK_OP_AT = 25;
const KILL_BANK_API_AT = 50;

let run: DevRun;
const participants: Participant[] = [];
const timings: Record<string, number> = {};

beforeAll(async () => {
  let started = performance.now();
  run = await startDev(['--replicas', '2']);
  timings.startMs = performance.now() - started;

  started = performance.now();
  for (let org = 0; org < LEARNERS / SOFTWARE_PER_ORGANISATION; org += 1) {
    const organisation = await signUpOrganisation(run.config, `Scale Org ${org + 1}`);
    // A few at a time: the directory issues each software's certificate and keys.
    for (let first = 0; first < SOFTWARE_PER_ORGANISATION; first += 5) {
      const bundles = await Promise.all(
        [0, 1, 2, 3, 4].map((offset) =>
          softwareBundle(run.config, organisation, { clientName: `Learner ${org}-${first + offset}` }),
        ),
      );
      for (const bundle of bundles) {
        participants.push(
          participantFromBundle(
            bundle,
            path.join(run.config.dataDir, 'learners', bundle.software.softwareId),
          ),
        );
      }
    }
  }
  timings.onboardingMs = performance.now() - started;
}, 300_000);
afterAll(stopDevRuns, 30_000);

/**
 * Why a request got no HTTP answer (the connection was closed or reset under it, or it timed out), or
 * undefined when it got one.
 */
function noAnswer(err: unknown): string | undefined {
  type Failure = { code?: string; name?: string; message?: string; cause?: unknown };
  for (let e = err as Failure | undefined; e; e = e.cause as Failure | undefined) {
    if (['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(e.code ?? '')) {
      return e.code;
    }
    if (e.name === 'TimeoutError') return 'timeout';
    if (/other side closed|socket hang up/.test(e.message ?? '')) return 'closed';
  }
  return undefined;
}

const retries: Record<string, number> = {};

/** Runs `step` again while it gets no answer (at most four times more), counting each retry. */
async function untilAnswered<T>(what: string, step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step();
    } catch (err) {
      const why = noAnswer(err);
      if (!why || attempt === 5) throw err;
      retries[`${what}: ${why}`] = (retries[`${what}: ${why}`] ?? 0) + 1;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

interface LearnerOutcome {
  client: FapiFlowClient;
  dpopKey: DpopKey | undefined;
  token: AccessToken;
  consentId: string;
  reference: string;
  idempotencyKey: string;
  paymentId: string;
}

const progress = { read: 0, paid: 0, kills: [] as { replica: string; paidBefore: number; from: number }[] };

function killReplica(replica: string): void {
  progress.kills.push({ replica, paidBefore: progress.paid, from: run.output().length });
  process.kill(lastPidOf(run, replica), 'SIGKILL');
}

async function learner(index: number): Promise<LearnerOutcome> {
  const variant = FLOW_VARIANTS.find((v) => v.id === (index % 2 === 0 ? 'fapi2-dpop' : 'fapi2-mtls'))!;
  const customer = SEED_CUSTOMERS[index % SEED_CUSTOMERS.length]!;
  const dpopKey = variant.binding === 'dpop' ? await generateDpopKey('ES256') : undefined;
  const client = await untilAnswered('connect (SSA, registration)', () =>
    FapiFlowClient.connect({
      config: run.config,
      variant,
      participant: participants[index]!,
      ...(dpopKey ? { dpopKey } : {}),
    }),
  );
  const accounts = await untilAnswered('account access authorised again', async () =>
    client.api(await customerConsents(client, customer), 'GET', '/aisp/accounts'),
  );
  expect(accounts.status).toBe(200);
  progress.read += 1;
  if (progress.read === KILL_BANK_OP_AT) killReplica('bank-op.1');
  if (progress.read === KILL_BANK_API_AT) killReplica('bank-api.1');

  const reference = `scale-${index}-${randomUUID().slice(0, 8)}`;
  const { consentId, token } = await untilAnswered('payment authorised again', async () => {
    const consentId = await paymentConsent(client, reference);
    const pending = await client.pushAuthorizationRequest(consentId, 'openid payments');
    const landing = await client.customerAuthorizes(pending, customer);
    return {
      consentId,
      token: await client.exchangeCode(pending, await client.authorizationCode(landing, pending)),
    };
  });
  // One key for this payment, however often it must be sent.
  const idempotencyKey = randomUUID();
  const paid = await untilAnswered('payment sent again (same key)', () =>
    submitPayment(client, token, consentId, reference, idempotencyKey),
  );
  expect(paid.status).toBe(201);
  progress.paid += 1;
  return { client, dpopKey, token, consentId, reference, idempotencyKey, paymentId: paid.paymentId! };
}

describe(`${LEARNERS} learners at once against two replicas of bank-op and of bank-api`, () => {
  it('onboards a distinct software statement for each learner through the portal API', () => {
    expect(new Set(participants.map((p) => p.softwareId)).size).toBe(LEARNERS);
  });

  it('completes every flow with a replica of each killed mid-run; no payment booked twice; a replayed DPoP proof refused', async () => {
    const started = performance.now();
    const settled = await Promise.allSettled(Array.from({ length: LEARNERS }, (_, i) => learner(i)));
    timings.flowsMs = performance.now() - started;
    const outcomes = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    try {
      const failures = settled.flatMap((s, i) =>
        s.status === 'rejected' ? [`learner ${i}: ${String(s.reason)}`] : [],
      );
      expect(failures).toEqual([]);

      // Both kills happened while flows were still under way, and the supervisor saw each replica die.
      expect(progress.kills.map((k) => k.replica)).toEqual(['bank-op.1', 'bank-api.1']);
      for (const kill of progress.kills) {
        expect(kill.paidBefore).toBeLessThan(LEARNERS);
        await until(
          run,
          new RegExp(`✖ ${kill.replica.replace('.', '\\.')} exited \\(signal SIGKILL\\)`),
          10_000,
          kill.from,
        );
      }

      // A client that lost the answer sends the payment again with its key: the same payment, every time.
      const resent = await Promise.all(
        outcomes.map((o) => submitPayment(o.client, o.token, o.consentId, o.reference, o.idempotencyKey)),
      );
      expect(resent.map((r) => r.paymentId)).toEqual(outcomes.map((o) => o.paymentId));
      expect(new Set(outcomes.map((o) => o.paymentId)).size).toBe(LEARNERS);
      // The books: exactly one debit per payment.
      const debits = await debitsPerPayment(
        run.config,
        outcomes.map((o) => ({ id: o.paymentId, reference: o.reference })),
      );
      expect(debits.filter((count) => count !== 1)).toEqual([]);

      const dpop = outcomes.find((o) => o.dpopKey)!;
      const [used, replayed] = await sendDpopProofTwice(run.config, {
        key: dpop.dpopKey!,
        token: (await dpop.client.clientCredentialsToken('payments')).value,
        url: `${run.config.bankApi.baseUrl}/pisp/domestic-payments/${dpop.paymentId}`,
      });
      expect(used.status).toBe(200);
      expect(replayed).toMatchObject({ status: 401, error: 'invalid_dpop_proof' });
    } finally {
      await Promise.all(outcomes.map((o) => o.client.close()));
      console.log(
        `scale: ${LEARNERS} learners; pnpm dev --replicas 2 ready in ${(timings.startMs! / 1000).toFixed(1)} s, ` +
          `onboarding ${(timings.onboardingMs! / 1000).toFixed(1)} s, flows ${(timings.flowsMs! / 1000).toFixed(1)} s; ` +
          `retries after no answer: ${JSON.stringify(retries)}`,
      );
    }
  }, 600_000);
});
