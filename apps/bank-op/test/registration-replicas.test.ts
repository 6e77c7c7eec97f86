// Two bank-op replicas as on two hosts (a data folder each, nothing shared on disk) behind one address, with
// the bank's PostgreSQL database (DATABASE_URL) between them: a client registered at one (RFC 7591) is read
// at the other, updated there with its registration access token rotated, and deleted at the first, each
// step seen by both (RFC 7592 §2.1-§2.3).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
import { managementOf } from './support/registration-management.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { TestTpp } from './support/tpp.js';

/** A PostgreSQL server of this file's own, when the run gives the sandbox no database (the embedded run). */
let postgres: TestPostgres | undefined;
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

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
  // The hosted run's database for the sandbox (testing-services.ts), else a fresh one on a server of our own.
  if (!sandbox.config.databaseUrl) postgres = await startTestPostgres();
  const databaseUrl = sandbox.config.databaseUrl ?? (await freshPostgresDatabase(postgres!.url));

  // The sandbox's bank-op gives way to two replicas on that database, each with a data folder of its own;
  // balancers take over the configured web and mTLS addresses.
  await sandbox.bankOp.stop();
  const web = [await workerPort(), await workerPort()];
  const mtls = [await workerPort(), await workerPort()];
  const logs = captureLogs();
  for (const replica of [A, B]) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `bank-op-host-${replica}-`));
    dataDirs.push(dataDir);
    const ports = { web: web[replica]!, mtls: mtls[replica]! };
    const config = { ...replicaConfig(sandbox.config, 'bankOp', ports), dataDir, databaseUrl };
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
    const management = managementOf(tpp, client);

    // RFC 7592 §2.1: read at B what A registered.
    await at(B);
    const read = await management.read(client.registrationAccessToken);
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    expect(read.body.client_id).toBe(client.clientId);

    // RFC 7592 §2.2: updated at B, the registration access token rotated.
    const updated = await management.update(client.registrationAccessToken);
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    const rotated = String(updated.body.registration_access_token);

    // A refuses the old token and reads the update with the new one.
    await at(A);
    expectOAuthError(await management.read(client.registrationAccessToken), {
      status: 401,
      error: 'invalid_token',
    });
    const readAtA = await management.read(rotated);
    expect(readAtA.status, JSON.stringify(readAtA.body)).toBe(200);
    expect(readAtA.body.redirect_uris).toEqual([tpp.participant.redirectUris[0]]);

    // RFC 7592 §2.3: deleted at A, gone at B.
    expect((await management.remove(rotated)).status).toBe(204);
    await at(B);
    expectOAuthError(await management.read(rotated), { status: 401, error: 'invalid_token' });
  });
});
