// `pnpm dev --replicas 2`: two bank-op and two bank-api processes behind one address each, sharing Redis
// and the data folder. A replica killed with SIGKILL in the middle of a flow loses nothing: the customer
// signs in at the other bank-op replica to a request pushed to the killed one, and a payment submitted
// after a bank-api replica was killed is made once, however often it is sent with its idempotency key.
// A DPoP proof used once is refused when replayed, whichever replica gets it (RFC 9449 §11.1).
import { randomUUID } from 'node:crypto';
import { demoCustomer } from '@fapi-sandbox/bank-domain';
import { FapiFlowClient, FLOW_VARIANTS, type FlowVariant } from '@fapi-sandbox/fapi-client';
import { generateDpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { debitsPerPayment } from './support/bank-ledger.js';
import {
  type DevRun,
  isAlive,
  lastPidOf,
  portIsClosed,
  servedBy,
  startDev,
  stopDevRuns,
  until,
} from './support/dev-run.js';
import { sendDpopProofTwice } from './support/dpop-replay.js';
import { paymentConsent, submitPayment } from './support/payment.js';

let run: DevRun;
beforeAll(async () => {
  run = await startDev(['--replicas', '2']);
}, 180_000);
afterAll(stopDevRuns, 30_000);

const variant = (id: FlowVariant['id']) => FLOW_VARIANTS.find((v) => v.id === id)!;

const killed: { replica: string; from: number }[] = [];

/** SIGKILL to the replica, and back once the supervisor has seen it go (its connections are closed). */
async function kill(replica: string): Promise<void> {
  const from = run.output().length;
  killed.push({ replica, from });
  process.kill(lastPidOf(run, replica), 'SIGKILL');
  await until(run, new RegExp(`✖ ${replica.replace('.', '\\.')} exited \\(signal SIGKILL\\)`), 10_000, from);
}

/** Every replica killed so far restarted and healthy: two replicas survive one death at a time. */
async function allReplicasBack(): Promise<void> {
  for (const { replica, from } of killed.splice(0)) {
    await until(run, new RegExp(`${replica.replace('.', '\\.')} is healthy again`), 60_000, from);
  }
}

describe('pnpm dev --replicas 2', () => {
  it('runs two replicas of bank-op and of bank-api on ports of their own, and says so', () => {
    const table = run.output();
    for (const replica of ['bank-op.1', 'bank-op.2', 'bank-api.1', 'bank-api.2']) {
      expect(table).toMatch(
        new RegExp(`${replica.replace('.', '\\.')}\\s+${lastPidOf(run, replica)}\\s+\\d+`),
      );
    }
    expect(table).toMatch(
      /Redis shared by the replicas: redis:\/\/127\.0\.0\.1:\d+, a redis-server pnpm dev started/,
    );
  });

  for (const id of ['fapi2-dpop', 'fapi2-mtls'] as const) {
    it(`completes a payment flow (${id}) with a bank-op replica killed after PAR and a bank-api replica before the payment; the payment is made once`, async () => {
      await allReplicasBack();
      const dpopKey = await generateDpopKey('ES256');
      const client = await FapiFlowClient.connect({ config: run.config, variant: variant(id), dpopKey });
      try {
        const reference = `replicas-${id}-${randomUUID().slice(0, 8)}`;
        const beforeConsent = run.output().length;
        const consentId = await paymentConsent(client, reference);
        const consentAt = await servedBy(
          run,
          'bank-api',
          /POST \S*\/pisp\/domestic-payment-consents 201/,
          beforeConsent,
        );

        const beforePar = run.output().length;
        const pending = await client.pushAuthorizationRequest(consentId, 'openid payments');
        // The replica that holds nothing of the pushed request but what it wrote to Redis is gone.
        await kill(await servedBy(run, 'bank-op', /POST \S*\/par 201/, beforePar));
        const landing = await client.customerAuthorizes(pending, demoCustomer());
        const token = await client.exchangeCode(pending, await client.authorizationCode(landing, pending));

        await kill(consentAt);
        const key = randomUUID();
        const first = await submitPayment(client, token, consentId, reference, key);
        expect(first.status).toBe(201);
        // A client that lost the answer sends it again with the same key: the same payment, not another.
        const again = await submitPayment(client, token, consentId, reference, key);
        expect(again.paymentId).toBe(first.paymentId);
        expect(await debitsPerPayment(run.config, [{ id: first.paymentId!, reference }])).toEqual([1]);

        if (id === 'fapi2-dpop') {
          const [used, replayed] = await sendDpopProofTwice(run.config, {
            key: dpopKey,
            // The payment's status is read with the TPP's own token (UK OB: client credentials).
            token: (await client.clientCredentialsToken('payments')).value,
            url: `${run.config.bankApi.baseUrl}/pisp/domestic-payments/${first.paymentId}`,
          });
          expect(used.status).toBe(200);
          expect(replayed).toMatchObject({ status: 401, error: 'invalid_dpop_proof' });
          expect(replayed.description).toMatch(/already used/);
        }
      } finally {
        await client.close();
      }
    }, 120_000);
  }

  it('stops every replica, the balancers and the redis-server it started on Ctrl-C', async () => {
    await allReplicasBack();
    const replicas = ['bank-op.1', 'bank-op.2', 'bank-api.1', 'bank-api.2'].map((name) =>
      lastPidOf(run, name),
    );
    const redisPort = Number(
      run.output().match(/Redis shared by the replicas: redis:\/\/127\.0\.0\.1:(\d+)/)?.[1],
    );
    expect(await portIsClosed(redisPort)).toBe(false);
    process.kill(run.child.pid!, 'SIGINT');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(replicas.filter(isAlive)).toEqual([]);
    const { bankOp, bankApi } = run.config;
    for (const port of [bankOp.web.port, bankOp.mtls.port, bankApi.web.port, redisPort]) {
      expect(await portIsClosed(port), `port ${port}`).toBe(true);
    }
  }, 60_000);
});
