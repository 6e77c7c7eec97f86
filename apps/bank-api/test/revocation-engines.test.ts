// Revocation reaches bank-api at the very next call on both engines of the bank's data (FAPI 2.0 SP
// §5.3.4-3, RFC 7009 §2.1, RFC 6749 §4.1.2): bank-op answers a revocation only once the bank's revocation
// record holds it. On PostgreSQL the record is a network write; the test holds it back with a table lock
// taken on a connection of its own and sees that bank-op's answer waits for it.
import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { postgresBinDir } from '@fapi-sandbox/fapi-core/service-binaries';
import { startTestPostgres, type TestPostgres } from '@fapi-sandbox/fapi-core/testing-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient } from './support/clients.js';
import { ALICE, ALL_READ, type Sandbox, startSandbox } from './support/sandbox.js';

const run = promisify(execFile);
const psql = () => path.join(postgresBinDir() ?? '/usr/bin', 'psql');

/** A sandbox whose bank keeps its data on `databaseUrl` (DATABASE_URL), or in SQLite without one. */
async function sandboxOn(databaseUrl: string | undefined): Promise<Sandbox> {
  const before = process.env.DATABASE_URL;
  if (databaseUrl) process.env.DATABASE_URL = databaseUrl;
  try {
    return await startSandbox();
  } finally {
    if (before === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = before;
  }
}

async function connected(sb: Sandbox, client: TestClient) {
  const ccToken = await sb.tokens.clientCredentials(client, 'accounts');
  const created = await sb.call(client, 'POST', '/aisp/account-access-consents', {
    token: ccToken,
    body: { Data: { Permissions: ALL_READ }, Risk: {} },
  });
  expect(created.status).toBe(201);
  const pending = await client.flow.pushAuthorizationRequest(
    created.body.Data.ConsentId as string,
    'openid accounts',
  );
  const landing = await client.flow.customerAuthorizes(pending, ALICE, [ALICE.current]);
  const code = await client.flow.authorizationCode(landing, pending);
  return { pending, code, token: await client.flow.exchangeCode(pending, code) };
}

const readAccounts = (sb: Sandbox, client: TestClient, token: string) =>
  sb.call(client, 'GET', '/aisp/accounts', { token });

function expectRefused(response: { status: number; body: Record<string, unknown> }, reason: RegExp) {
  expect(response.status, JSON.stringify(response.body)).toBe(401);
  expect(response.body.error).toBe('invalid_token');
  expect(String(response.body.error_description)).toMatch(reason);
}

/** A transaction of the test's own holding token_revocations: bank-op's write waits until release. */
async function lockRevocations(url: string): Promise<{ release(): Promise<void> }> {
  const session: ChildProcessWithoutNullStreams = spawn(psql(), [url, '-q', '-v', 'ON_ERROR_STOP=1']);
  let out = '';
  await new Promise<void>((resolve, reject) => {
    session.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('locked')) resolve();
    });
    session.once('exit', (code) => reject(new Error(`psql ended (${code}) before taking the lock: ${out}`)));
    session.stdin.write('BEGIN;\nLOCK TABLE token_revocations IN EXCLUSIVE MODE;\n\\echo locked\n');
  });
  return {
    async release() {
      const ended = new Promise((resolve) => session.once('exit', resolve));
      session.stdin.end('COMMIT;\n\\q\n');
      await ended;
    },
  };
}

/** Resolves once a write to token_revocations waits on the test's lock. */
async function writeWaiting(url: string): Promise<void> {
  const query = `SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%"token_revocations"%'`;
  for (;;) {
    const { stdout } = await run(psql(), [url, '-tA', '-c', query]);
    if (Number(stdout.trim()) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const ENGINES = postgresBinDir() ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);

describe.each(ENGINES)('revocation reaches bank-api at the next call, bank data on %s', (engine) => {
  let postgres: TestPostgres | undefined;
  let sb: Sandbox;
  beforeAll(async () => {
    postgres = engine === 'postgres' ? await startTestPostgres() : undefined;
    sb = await sandboxOn(postgres?.url);
  });
  afterAll(async () => {
    await sb?.stop();
    await postgres?.stop();
  });

  it("refuses the grant's access token once its refresh token is revoked (RFC 7009 §2.1)", async () => {
    const client = sb.clients.moneywiseMtls;
    const { token } = await connected(sb, client);
    expect((await readAccounts(sb, client, token.value)).status).toBe(200);
    expect((await client.flow.revoke(token.refreshToken!, 'refresh_token')).status).toBe(200);
    expectRefused(await readAccounts(sb, client, token.value), /refresh token revoked/);
  });

  it('refuses the first access token once its code is redeemed again (RFC 6749 §4.1.2)', async () => {
    const client = sb.clients.moneywiseDpop;
    const { pending, code, token } = await connected(sb, client);
    await expect(client.flow.exchangeCode(pending, code)).rejects.toThrow(/invalid_grant/);
    expectRefused(await readAccounts(sb, client, token.value), /authorization code redeemed twice/);
  });

  it.runIf(engine === 'postgres')(
    'answers the revocation only after the record is written, however long the write takes',
    async () => {
      const client = sb.clients.moneywiseMtls;
      const { token } = await connected(sb, client);
      const lock = await lockRevocations(postgres!.url);
      let answered = false;
      const revoked = client.flow.revoke(token.refreshToken!, 'refresh_token').finally(() => {
        answered = true;
      });
      try {
        await writeWaiting(postgres!.url);
        // The record is not written yet, so the client must not have its answer: an answer now would
        // let the token through at bank-api. (A wait, not a timing target: the answer cannot come sooner.)
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(answered).toBe(false);
      } finally {
        await lock.release();
      }
      expect((await revoked).status).toBe(200);
      expectRefused(await readAccounts(sb, client, token.value), /refresh token revoked/);
    },
  );

  it.runIf(engine === 'postgres')(
    'answers server_error, never a 200, when the record cannot be written',
    async () => {
      const client = sb.clients.moneywiseMtls;
      const { token } = await connected(sb, client);
      const sqlOn = (statement: string) => run(psql(), [postgres!.url, '-q', '-c', statement]);
      await sqlOn('ALTER TABLE token_revocations RENAME TO token_revocations_away');
      try {
        const refused = await client.flow.revoke(token.refreshToken!, 'refresh_token');
        expect(refused.status).toBe(500);
        expect(refused.body).toMatchObject({ error: 'server_error' });
        expect(JSON.stringify(refused.body)).toMatch(/could not be written/);
      } finally {
        await sqlOn('ALTER TABLE token_revocations_away RENAME TO token_revocations');
      }
    },
  );
});
