// Two bank-op replicas behind one address, sharing a real Redis (REDIS_URL), as a sandbox hosted for a
// room runs them: a flow may take each step at another replica. A request pushed to one is redeemed at the
// other; a code issued by one is redeemed once at the other and refused the second time, with what the
// first redemption issued revoked everywhere, and of two redemptions sent to both at once exactly one
// succeeds; a client assertion used at one is a replay at the other; a DPoP nonce one hands out is good at
// the other; a browser step at either is filed under the flow the other started; each lists the other's
// trace events, and a flow re-filed by one is re-filed at the other.
// The replicas share a data folder or a database (clients stay in the durable store), so the test also
// checks that what they share for a flow is in Redis and not there.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pageOf, redirectOf } from '@fapi-sandbox/fapi-client/customer';
import { replicaConfig } from '@fapi-sandbox/fapi-core/config';
import { captureLogs } from '@fapi-sandbox/fapi-core/log-capture';
import { closeRedis, openRedis, type Redis } from '@fapi-sandbox/fapi-core/redis';
import { isFree, workerPort } from '@fapi-sandbox/fapi-core/testing';
import { type Balancer, startBalancer } from '@fapi-sandbox/fapi-core/testing-balancer';
import {
  type RunningRedisServer,
  startRedisServer,
  withRedisUrl,
} from '@fapi-sandbox/fapi-core/testing-redis';
import type { TraceEvent } from '@fapi-sandbox/fapi-core/trace';
import { decodeJwt } from 'jose';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningBankOp, startBankOp } from '../src/index.js';
import { openOidcStore } from '../src/storage/open-oidc-store.js';
import { expectOAuthError } from './support/expect-error.js';
import { authorizeFapi2 } from './support/flows.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { DpopSession, type RegisteredClient, TestTpp } from './support/tpp.js';

let redisServer: RunningRedisServer;
let redis: Redis;
let sandbox: Sandbox;
let tpp: TestTpp;
let client: RegisteredClient;
const replicas: RunningBankOp[] = [];
const balancers: Balancer[] = [];
const A = 0;
const B = 1;
/** balancers[MTLS] fronts the mTLS listener, where the token endpoint is. */
const MTLS = 1;

/** Sends the TPP's and the customer's next connections to one replica, on both listeners. */
async function at(replica: number) {
  await Promise.all(balancers.map((balancer) => balancer.routeTo(replica)));
}

/** Connections a replica has been handed, on both listeners. */
const served = (replica: number) =>
  balancers.reduce((sum, balancer) => sum + (balancer.connections[replica] ?? 0), 0);

/** The customer's steps at the bank, in the trace, from the authorization request to the redirect back. */
const BROWSER_STEPS = [
  'Authorization request (front channel)',
  'Sign-in page',
  'Sign-in (password and passcode)',
  'Authorization resumed',
  'Consent page',
  'Consent decision',
  'Authorization response (redirect to the client)',
];

/** The steps of a flow as a participant reads them at one replica (its /trace, over mutual TLS). */
async function stepsAt(replica: number, flow: string, participant = sandbox.config.participants.demo) {
  await at(replica);
  const read = await fetch(`${sandbox.config.bankOp.mtls.origin}/trace?interaction_id=${flow}`, {
    dispatcher: sandbox.transport(participant),
  });
  expect(read.status).toBe(200);
  return ((await read.json()) as { events: TraceEvent[] }).events.map((event) => event.step);
}

beforeAll(async () => {
  redisServer = await startRedisServer();
  sandbox = await withRedisUrl(redisServer.url, () => startSandbox());
  redis = await openRedis({ url: redisServer.url, party: 'test' });
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);

  // The sandbox's bank-op gives way to two replicas on ports of their own; balancers take over the
  // configured web and mTLS addresses (TLS passes through them to the replica).
  await sandbox.bankOp.stop();
  const web = [await workerPort(), await workerPort()];
  const mtls = [await workerPort(), await workerPort()];
  const logs = captureLogs();
  for (const replica of [A, B]) {
    const config = replicaConfig(sandbox.config, 'bankOp', { web: web[replica]!, mtls: mtls[replica]! });
    replicas.push(await startBankOp({ config, log: logs.logOf(`bank-op-${replica}`) }));
  }
  sandbox.bankOp = replicas[A]!;
  balancers.push(await startBalancer(sandbox.config.bankOp.web, web));
  balancers.push(await startBalancer(sandbox.config.bankOp.mtls, mtls));
  await at(A);
  client = await tpp.register({ senderConstraint: 'mtls' });
});
afterAll(async () => {
  await Promise.all(balancers.map((balancer) => balancer.stop()));
  await replicas[B]?.stop();
  await sandbox?.close();
  if (redis) await closeRedis(redis);
  await redisServer?.stop();
});

const REQUEST_URI_PREFIX = 'urn:ietf:params:oauth:request_uri:';

describe('bank-op replicas sharing Redis', () => {
  it('complete at one replica a flow whose request was pushed to the other, and redeem its code once', async () => {
    await at(A);
    const pkce = tpp.pkce();
    const consentId = await tpp.accountConsent(client);
    const par = await tpp.par(client, tpp.authorizationParams(client, consentId, pkce));
    expect(par.status, JSON.stringify(par.body)).toBe(201);
    const requestUri = String(par.body.request_uri);

    // RFC 9126 §4: the request_uri is redeemed at the authorization endpoint, here the other replica's.
    await at(B);
    const before = served(B);
    const landing = await tpp.customerAuthorizes(tpp.authorizationUrl(client, requestUri));
    expect(served(B)).toBeGreaterThan(before);
    const code = landing.searchParams.get('code');
    expect(code, landing.toString()).toBeTruthy();

    // Issued by B, redeemed at A.
    await at(A);
    const first = await tpp.redeem(client, code!, pkce);
    expect(first.status, JSON.stringify(first.body)).toBe(200);

    // FAPI 2.0 SP §5.3.2.2-9 (RFC 6749 §4.1.2): the second redemption, at B, is refused, and the tokens
    // the first one issued at A are revoked there too.
    await at(B);
    const second = await tpp.redeem(client, code!, pkce);
    expectOAuthError(second, { status: 400, error: 'invalid_grant', clause: /5\.3\.2\.2-9/ });
    const refresh = await tpp.token(client, {
      grant_type: 'refresh_token',
      refresh_token: String(first.body.refresh_token),
    });
    expectOAuthError(refresh, { status: 400, error: 'invalid_grant' });

    // What carried the flow between replicas is in Redis, not in their shared data folder.
    const parId = requestUri.slice(REQUEST_URI_PREFIX.length);
    expect(await redis.exists(`fapi:bank-op:oidc:PushedAuthorizationRequest:${parId}`)).toBe(1);
    // The durable store (the data folder's SQLite file, or PostgreSQL with DATABASE_URL) has the client only.
    const durable = await openOidcStore({
      dataDir: path.join(sandbox.config.dataDir, 'bank-op'),
      databaseUrl: sandbox.config.databaseUrl,
    });
    try {
      expect(await durable.adapterFor('PushedAuthorizationRequest').find(parId)).toBeUndefined();
      expect(await durable.adapterFor('Client').find(client.clientId)).toBeDefined();
    } finally {
      await durable.close();
    }
  });

  it('let exactly one of two redemptions of one code, sent to both replicas at once, succeed (RFC 6749 §4.1.2)', async () => {
    const ROUNDS = 20;
    for (let round = 0; round < ROUNDS; round += 1) {
      await at(A);
      const { code, pkce } = await authorizeFapi2(tpp, client);
      // Each redemption opens a connection of its own, and round robin hands one to each replica.
      await balancers[MTLS]!.spread();
      const before = [served(A), served(B)];
      const answers = await Promise.all([tpp.redeem(client, code, pkce), tpp.redeem(client, code, pkce)]);
      expect([served(A) - before[0]!, served(B) - before[1]!]).toEqual([1, 1]);

      const winners = answers.filter((answer) => answer.status === 200);
      const outcomes = answers.map((answer) => `${answer.status} ${String(answer.body.error ?? '')}`);
      expect(winners, `round ${round}: ${outcomes.join(', ')}`).toHaveLength(1);
      const loser = answers.find((answer) => answer.status !== 200)!;
      expectOAuthError(loser, { status: 400, error: 'invalid_grant', clause: /5\.3\.2\.2-9/ });

      // As for a code redeemed twice one after the other, what the winner was issued is revoked: its
      // refresh token at bank-op, its grant in the record bank-api reads.
      await at(A);
      const { refresh_token: refreshToken, access_token: accessToken } = winners[0]!.body;
      const refresh = await tpp.token(client, {
        grant_type: 'refresh_token',
        refresh_token: String(refreshToken),
      });
      expectOAuthError(refresh, { status: 400, error: 'invalid_grant' });
      const grantId = String(decodeJwt(String(accessToken)).grant_id);
      expect(await sandbox.bank.revocations.find({ grantId, jti: 'x' })).toMatchObject({
        kind: 'grant',
        reason: 'authorization code redeemed twice',
      });
    }
  });

  it("file each browser step under the pushed request's flow id, whichever replica takes it", async () => {
    // FAPI 1.0 Part 1 §6.2.1-11: the PAR names the flow; the browser's steps carry no header, and each
    // replica finds their flow from the request_uri or interaction uid in the URL, as the other linked it.
    const flow = randomUUID();
    await at(A);
    const consentId = await tpp.accountConsent(client);
    const par = await tpp.par(client, tpp.authorizationParams(client, consentId, tpp.pkce()), {
      headers: { 'x-fapi-interaction-id': flow },
    });
    expect(par.status, JSON.stringify(par.body)).toBe(201);

    const browser = tpp.newBrowser();
    await at(B);
    const login = pageOf(await browser.open(tpp.authorizationUrl(client, String(par.body.request_uri))));
    await at(A);
    const consent = pageOf(await browser.signIn(login, { username: 'alice', password: 'wonderland' }));
    await at(B);
    expect(redirectOf(await browser.allow(consent, 'first')).params.get('code')).toBeTruthy();

    const whole = ['Pushed authorization request', ...BROWSER_STEPS];
    for (const replica of [A, B])
      await vi.waitFor(async () => expect(await stepsAt(replica, flow)).toEqual(whole));
  });

  it('refuse at one replica a client assertion used at the other (RFC 7523 §3 item 7)', async () => {
    await at(A);
    const auth = await tpp.clientAuth(client);
    const once = await tpp.token(
      client,
      { grant_type: 'client_credentials', scope: 'accounts' },
      { auth: async () => auth },
    );
    expect(once.status, JSON.stringify(once.body)).toBe(200);

    await at(B);
    const before = served(B);
    const replayed = await tpp.token(
      client,
      { grant_type: 'client_credentials', scope: 'accounts' },
      { auth: async () => auth },
    );
    expect(replayed.status).toBe(401);
    expect(replayed.body.error).toBe('invalid_client');
    expect(String(replayed.body.error_description)).toMatch(/jti/i);
    expect(served(B)).toBeGreaterThan(before);
    expect(await redis.keys('fapi:bank-op:oidc:ReplayDetection:*')).not.toHaveLength(0);
  });

  it('accept at one replica the DPoP nonce the other handed out (RFC 9449 §8)', async () => {
    const dpopClient = await tpp.register({ senderConstraint: 'dpop' });
    const dpop = await DpopSession.create();
    const params = async () =>
      tpp.authorizationParams(dpopClient, await tpp.accountConsent(dpopClient), tpp.pkce());
    await at(A);
    const challenged = await tpp.par(dpopClient, await params(), { dpop, retryNonce: false });
    expect(challenged.status).toBe(400);
    expect(challenged.body.error).toBe('use_dpop_nonce');

    // The session now holds A's nonce; B takes it without a challenge of its own.
    await at(B);
    const pushed = await tpp.par(dpopClient, await params(), { dpop, retryNonce: false });
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(201);
  });

  it('refuse to start, before listening, when REDIS_URL names a Redis that is not there', async () => {
    const ports = { web: await workerPort(), mtls: await workerPort() };
    const config = {
      ...replicaConfig(sandbox.config, 'bankOp', ports),
      redisUrl: `redis://127.0.0.1:${await workerPort()}`,
    };
    await expect(startBankOp({ config, log: captureLogs().logOf('bank-op') })).rejects.toThrow(
      /^REDIS_URL is set, but Redis at 127\.0\.0\.1:\d+ could not be used \(.*ECONNREFUSED.*\)/,
    );
    expect([await isFree(ports.web), await isFree(ports.mtls)]).toEqual([true, true]);
  });

  it('re-file at the other replica the flow one re-filed, and list there its events', async () => {
    const baseline = await tpp.register({ profile: 'fapi1-baseline' });
    // RFC 6749 §4.1.1: a plain request in the browser names no x-fapi-interaction-id; A files it under one
    // of its own, and the customer's next steps go on at B, then A, under the same one.
    const pkce = tpp.pkce();
    const url = new URL(`${tpp.issuer}/authorize`);
    const params = tpp.authorizationParams(baseline, await tpp.accountConsent(baseline), pkce);
    for (const [name, value] of Object.entries(params))
      if (value !== undefined) url.searchParams.set(name, value);
    const browser = tpp.newBrowser();
    await at(A);
    const login = pageOf(await browser.open(url));
    await at(B);
    const consent = pageOf(await browser.signIn(login, { username: 'alice', password: 'wonderland' }));
    await at(A);
    const landing = redirectOf(await browser.allow(consent, 'first')).url;

    // FAPI 1.0 Part 1 §6.2.1-11: the client's flow id arrives with the code's redemption, at B; B re-files
    // the flow A made up.
    await at(B);
    const clientFlow = randomUUID();
    const redeemed = await tpp.post(
      baseline,
      tpp.endpoint(baseline, '/token'),
      async () => ({
        grant_type: 'authorization_code',
        code: landing.searchParams.get('code')!,
        redirect_uri: sandbox.config.participants.demo.redirectUris[0]!,
        code_verifier: pkce.codeVerifier,
        client_id: baseline.clientId,
        ...(await tpp.clientAuth(baseline)),
      }),
      { headers: { 'x-fapi-interaction-id': clientFlow } },
    );
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200);

    const whole = [...BROWSER_STEPS, expect.stringMatching(/token/i)];
    expect(await stepsAt(B, clientFlow)).toEqual(whole);
    // Each replica saw part of it, and lists it whole under the client's id: the events and B's re-filing
    // reached A.
    await vi.waitFor(async () => expect(await stepsAt(A, clientFlow)).toEqual(whole));
    expect(await stepsAt(B, clientFlow, sandbox.config.participants.second)).toEqual([]);
  });

  it('share one set of secrets through Redis, none in the data folder', async () => {
    expect(await redis.exists('fapi:bank-op:secrets')).toBe(1);
    expect(fs.existsSync(path.join(sandbox.config.dataDir, 'bank-op', 'secrets.json'))).toBe(false);
  });
});
