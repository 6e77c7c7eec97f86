// Two bank-op replicas as on two hosts (a data folder each, nothing shared on disk) behind one address, with
// the bank's PostgreSQL database (DATABASE_URL) between them: a client registered at one (RFC 7591) is read
// at the other, updated there with its registration access token rotated, and deleted at the first, each
// step seen by both (RFC 7592 §2.1-§2.3).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createExchange,
  deleteRegistration,
  readRegistration,
  updateRegistration,
} from '@fapi-sandbox/fapi-client';
import { replicaConfig } from '@fapi-sandbox/fapi-core/config';
import { captureLogs } from '@fapi-sandbox/fapi-core/log-capture';
import { workerPort } from '@fapi-sandbox/fapi-core/testing';
import { type Balancer, startBalancer } from '@fapi-sandbox/fapi-core/testing-balancer';
import {
  freshPostgresDatabase,
  startTestPostgres,
  type TestPostgres,
} from '@fapi-sandbox/fapi-core/testing-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBankOp, startBankOp } from '../src/index.js';
import { expectOAuthError } from './support/expect-error.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { fromExchange, TestTpp } from './support/tpp.js';

/** The hosted run's server (testing-services.ts) when there is one, else one of this file's own. */
let postgres: Pick<TestPostgres, 'url' | 'stop'>;
let sandbox: Sandbox;
let tpp: TestTpp;
const replicas: RunningBankOp[] = [];
const balancers: Balancer[] = [];
const dataDirs: string[] = [];
const A = 0;
const B = 1;

/** Sends the TPP's next connections to one replica, on both listeners. */
async function at(replica: number) {
  await Promise.all(balancers.map((balancer) => balancer.routeTo(replica)));
}

/** Starts the sandbox with DATABASE_URL naming a fresh database (as withRedisUrl does for REDIS_URL). */
async function sandboxOnDatabase(url: string): Promise<Sandbox> {
  const before = process.env.DATABASE_URL;
  process.env.DATABASE_URL = url;
  try {
    return await startSandbox();
  } finally {
    if (before === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = before;
  }
}

beforeAll(async () => {
  const hosted = process.env.FAPI_TEST_POSTGRES_URL;
  postgres = hosted ? { url: hosted, stop: async () => {} } : await startTestPostgres();
  sandbox = await sandboxOnDatabase(await freshPostgresDatabase(postgres.url));
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);

  // The sandbox's bank-op gives way to two replicas, each with a data folder of its own; balancers take
  // over the configured web and mTLS addresses.
  await sandbox.bankOp.stop();
  const web = [await workerPort(), await workerPort()];
  const mtls = [await workerPort(), await workerPort()];
  const logs = captureLogs();
  for (const replica of [A, B]) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `bank-op-host-${replica}-`));
    dataDirs.push(dataDir);
    const ports = { web: web[replica]!, mtls: mtls[replica]! };
    const config = { ...replicaConfig(sandbox.config, 'bankOp', ports), dataDir };
    replicas.push(await startBankOp({ config, log: logs.logOf(`bank-op-${replica}`) }));
  }
  sandbox.bankOp = replicas[A]!;
  balancers.push(await startBalancer(sandbox.config.bankOp.web, web));
  balancers.push(await startBalancer(sandbox.config.bankOp.mtls, mtls));
});
afterAll(async () => {
  await Promise.all(balancers.map((balancer) => balancer.stop()));
  await replicas[B]?.stop();
  await sandbox?.close();
  // pg-pool's end() resolves before its sockets have closed: let them close before the server stops.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await postgres?.stop();
  for (const dir of dataDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe('registrations shared by bank-op replicas on PostgreSQL', () => {
  it('reads at one replica a client registered at the other, and sees its update and deletion at both', async () => {
    await at(A);
    const client = await tpp.register();
    const engine = { exchange: createExchange() };
    const step = { step: 'registration-management', clause: 'RFC 7592 §2' };
    const management = (token: string) => ({
      registrationClientUri: client.registrationClientUri,
      registrationAccessToken: token,
      transport: tpp.transport,
    });

    // RFC 7592 §2.1: read at B what A registered.
    await at(B);
    const read = fromExchange(
      await readRegistration(engine, step, management(client.registrationAccessToken)),
    );
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    expect(read.body.client_id).toBe(client.clientId);

    // RFC 7592 §2.2: updated at B, the registration access token rotated.
    const redirectUri = tpp.participant.redirectUris[0]!;
    const updated = fromExchange(
      await updateRegistration(engine, step, {
        ...management(client.registrationAccessToken),
        metadata: {
          client_id: client.clientId,
          software_statement: await tpp.ssa(),
          redirect_uris: [redirectUri],
          tls_client_certificate_bound_access_tokens: true,
        },
      }),
    );
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    const rotated = String(updated.body.registration_access_token);

    // A refuses the old token and reads the update with the new one.
    await at(A);
    expectOAuthError(
      fromExchange(await readRegistration(engine, step, management(client.registrationAccessToken))),
      { status: 401, error: 'invalid_token' },
    );
    const readAtA = fromExchange(await readRegistration(engine, step, management(rotated)));
    expect(readAtA.status, JSON.stringify(readAtA.body)).toBe(200);
    expect(readAtA.body.redirect_uris).toEqual([redirectUri]);

    // RFC 7592 §2.3: deleted at A, gone at B.
    expect((await deleteRegistration(engine, step, management(rotated))).status).toBe(204);
    await at(B);
    expectOAuthError(fromExchange(await readRegistration(engine, step, management(rotated))), {
      status: 401,
      error: 'invalid_token',
    });
  });
});
