// The loser of a race to consume a one-time entry hears what oidc-provider answers a reuse it sees itself:
// invalid_grant for a code (RFC 6749 §4.1.2), invalid_request_uri for a pushed request (RFC 9126 §4).
// Entries that are not used once (a client, a session) are left to the store. (The grant's revocation, which
// needs the request, is shown on real servers in replicas.test.ts.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errors } from 'oidc-provider';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withOneTimeUse } from '../src/provider/one-time-use.js';
import { AlreadyConsumed } from '../src/storage/already-consumed.js';
import type { OidcStore } from '../src/storage/oidc-store.js';
import { openSqliteOidcStore } from '../src/storage/sqlite-adapter.js';

let dir: string;
let store: OidcStore;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-op-one-time-'));
  store = withOneTimeUse(openSqliteOidcStore(path.join(dir, 'oidc.sqlite')));
});
afterEach(async () => {
  await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('one-time entries consumed twice', () => {
  it('refuses a second redemption of a code with invalid_grant, as oidc-provider words it', async () => {
    const codes = store.adapterFor('AuthorizationCode');
    await codes.upsert('code-1', { grantId: 'grant-1' }, 60);
    await codes.consume('code-1');
    const second = codes.consume('code-1');
    await expect(second).rejects.toBeInstanceOf(errors.InvalidGrant);
    await expect(second).rejects.toMatchObject({
      error: 'invalid_grant',
      error_detail: 'authorization code already consumed',
    });
  });

  it('refuses a second use of a request_uri with invalid_request_uri', async () => {
    const pushed = store.adapterFor('PushedAuthorizationRequest');
    await pushed.upsert('par-1', {}, 60);
    await pushed.consume('par-1');
    await expect(pushed.consume('par-1')).rejects.toMatchObject({ error: 'invalid_request_uri' });
  });

  it("leaves other models' answers to the store", async () => {
    const sessions = store.adapterFor('Session');
    await sessions.upsert('session-1', {}, 60);
    await sessions.consume('session-1');
    await expect(sessions.consume('session-1')).rejects.toBeInstanceOf(AlreadyConsumed);
  });
});
