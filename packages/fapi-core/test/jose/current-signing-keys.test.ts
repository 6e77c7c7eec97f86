// The demo TPP signs with the key its JWKS file holds now: after the directory reissues a signing
// certificate (a new key and kid written over the file), the next use signs with the new key, no restart.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { currentSigningKeys } from '../../src/jose/current-signing-keys.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'current-signing-keys-'));
const file = path.join(dir, 'signing.private.jwks.json');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes a one-key private JWKS the way the directory does (temporary file, then rename); returns its kid. */
async function writeNewKey(): Promise<string> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  const jwks = { keys: [{ kid, alg: 'ES256', use: 'sig', ...(await exportJWK(privateKey)) }] };
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(jwks));
  fs.renameSync(`${file}.tmp`, file);
  return kid;
}

describe('currentSigningKeys', () => {
  it('signs with the new key at the next use once the file is rewritten, and reuses the keys while it is not', async () => {
    const first = await writeNewKey();
    const keys = currentSigningKeys(file);
    const loaded = await keys();
    expect(loaded.forAlg('ES256').kid).toBe(first);
    expect(await keys()).toBe(loaded);

    const second = await writeNewKey();
    expect(second).not.toBe(first);
    expect((await keys()).forAlg('ES256').kid).toBe(second);
  });

  it('reports a broken file, and reads it again at the next use once it is mended', async () => {
    const keys = currentSigningKeys(file);
    fs.writeFileSync(file, 'not json, and longer than before to change the size');
    await expect(keys()).rejects.toThrow(/is not JSON/);
    const mended = await writeNewKey();
    expect((await keys()).forAlg('ES256').kid).toBe(mended);
  });
});
