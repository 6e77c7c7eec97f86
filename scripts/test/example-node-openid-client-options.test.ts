// The Node example's options, each run end to end against the real directory, bank-op and bank-api with a
// learner's own bundle, each with the refusal that shows what it is for:
//   --profile fapi1-baseline   a plain authorization request with PKCE and nonce, an unbound bearer token
//   --encrypt-request-object   signed, then encrypted to the bank's published key (RFC 9101 §6.1)
//   --encrypt-id-token         signed by the bank, then encrypted to the bundle's key (OIDC Core §10.2)
//   --encrypt-jarm             a JARM response signed by the bank, then encrypted to the bundle's key (JARM §2.2)
import type { RunningBankOp } from '@fapi-sandbox/bank-op';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createSandboxAgent } from '@fapi-sandbox/fapi-core/tls';
import type { Agent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeFailure, type FlowOptions, runFlow } from '../../examples/node-openid-client/src/flow.js';
import { customerAllows, learnerBundle, runCli, writeBundle } from './support/node-example.js';
import { useRunningParties } from './support/parties.js';

let config: SandboxConfig;
let bankOp: RunningBankOp;
useRunningParties((started, running) => {
  config = started;
  bankOp = running[1] as RunningBankOp;
});

let bankBrowser: Agent;
beforeEach(() => {
  bankBrowser = createSandboxAgent({}, config);
});
afterEach(async () => {
  await bankBrowser.close();
});

/** The example's flow with a new learner bundle; `beforeVisit` sees the authorization URL the customer opens. */
async function runWith(
  options: Omit<FlowOptions, 'bundle' | 'authorize'>,
  beforeVisit?: (url: URL) => Promise<void> | void,
) {
  const { bundle, redirectUri } = await learnerBundle(config);
  const lines: string[] = [];
  const run = runFlow({
    bundle,
    log: (line) => lines.push(line),
    authorize: customerAllows(config, redirectUri, bankBrowser, beforeVisit),
    ...options,
  });
  return { bundle, lines, run };
}

/** oidc-provider's storage adapter for clients (untyped in @types/oidc-provider). */
function clientStorage() {
  return (
    bankOp.provider.Client as unknown as {
      adapter: {
        find(id: string): Promise<Record<string, unknown>>;
        upsert(id: string, payload: Record<string, unknown>, expiresIn: number): Promise<void>;
      };
    }
  ).adapter;
}

describe('examples/node-openid-client --profile fapi1-baseline', () => {
  it('sends a plain authorization request with PKCE and nonce, and reads the accounts with an unbound bearer token', async () => {
    let authorizationUrl: URL | undefined;
    const { lines, run } = await runWith({ profile: 'fapi1-baseline' }, (url) => {
      authorizationUrl = url;
    });
    const result = await run;
    expect(result.accounts.length).toBeGreaterThan(0);
    // FAPI 1.0 Part 1 §5.2.2: every parameter in the browser's query, no PAR, no request object.
    const query = authorizationUrl!.searchParams;
    expect(query.get('request_uri')).toBeNull();
    expect(query.get('request')).toBeNull();
    expect(query.get('code_challenge_method')).toBe('S256');
    expect(query.get('nonce')).toBeTruthy();
    expect(query.get('response_type')).toBe('code');
    expect(lines.join('\n')).toMatch(/token_type bearer/i);
    expect(lines.join('\n')).toContain('GET /aisp/accounts with the bearer access token');
  });

  it('is refused by the bank without PKCE, which Baseline still demands (FAPI 1.0 Part 1 §5.2.2-7)', async () => {
    const { run } = await runWith({ profile: 'fapi1-baseline' }, (url) => {
      url.searchParams.delete('code_challenge');
      url.searchParams.delete('code_challenge_method');
    });
    // The bank answers the browser with an error redirect instead of a code; the example stops on it.
    await expect(run.catch(describeFailure)).resolves.toMatch(/invalid_request.*code_challenge/i);
  });
});

describe('examples/node-openid-client --encrypt-request-object', () => {
  it('registers request_object_encryption_alg/enc, pushes a request object signed then encrypted to the bank (RSA-OAEP-256)', async () => {
    let authorizationUrl: URL | undefined;
    const { lines, run } = await runWith({ encryptRequestObject: 'RSA-OAEP-256' }, (url) => {
      authorizationUrl = url;
    });
    const result = await run;
    expect(result.accounts.length).toBeGreaterThan(0);
    expect(result.requestObjectJwe).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256GCM', cty: 'JWT' });
    expect(authorizationUrl!.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(lines.join('\n')).toContain('request object signed, then encrypted: JWE header');
    const registered = await clientStorage().find(result.clientId);
    expect(registered).toMatchObject({
      request_object_encryption_alg: 'RSA-OAEP-256',
      request_object_encryption_enc: 'A256GCM',
    });
  });

  it('is refused by the bank when the request object comes in clear though the client registered encryption (OIDC Registration §2)', async () => {
    const { run } = await runWith({ encryptRequestObject: 'RSA-OAEP-256', requestObjectInClear: true });
    await expect(run.catch(describeFailure)).resolves.toMatch(
      /the bank answered 400 invalid_request_object: .*encrypt.*OIDC Registration/i,
    );
  });
});

describe('examples/node-openid-client --encrypt-id-token', () => {
  it('registers id_token_encrypted_response_alg/enc; the bank encrypts the ID token to the bundle’s published ECDH-ES key', async () => {
    const { bundle, lines, run } = await runWith({
      encryptIdToken: 'ECDH-ES',
      encryptRequestObject: 'ECDH-ES',
    });
    const result = await run;
    expect(result.accounts.length).toBeGreaterThan(0);
    const bundleKey = bundle.encryption!.privateJwks.keys.find((key) => key.alg === 'ECDH-ES')!;
    expect(result.idTokenJwe).toMatchObject({ alg: 'ECDH-ES', enc: 'A256GCM', kid: bundleKey.kid });
    expect(result.requestObjectJwe).toMatchObject({ alg: 'ECDH-ES', enc: 'A256GCM' });
    expect(lines.join('\n')).toMatch(/ID token signed by the bank, then encrypted to this client/);
    // …and openid-client checked what was inside: the consent the customer authorized.
    expect(lines.join('\n')).toContain(`ID token for intent ${result.consentId}`);
  });

  it('refuses an ID token in clear when it registered for encryption (OIDC Core §10.2)', async () => {
    // The bank "forgets" the encryption the client registered before the code is redeemed: it then signs
    // the ID token but sends it in clear, and the example must not take it.
    const { run } = await runWith({ encryptIdToken: 'RSA-OAEP-256' }, async (url) => {
      const clientId = url.searchParams.get('client_id')!;
      const storage = clientStorage();
      const {
        id_token_encrypted_response_alg: _alg,
        id_token_encrypted_response_enc: _enc,
        ...rest
      } = await storage.find(clientId);
      await storage.upsert(clientId, rest, 0);
    });
    await expect(run.catch(describeFailure)).resolves.toMatch(
      /the bank sent the ID token in clear \(a JWS\), though this client registered id_token_encrypted_response_alg: refused \(OIDC Core §10\.2/,
    );
  });

  it('from the command line: --profile fapi1-baseline --encrypt-id-token=ECDH-ES, and an algorithm the bank does not offer', async () => {
    const { bundle } = await learnerBundle(config);
    const file = writeBundle(config, bundle, 'options.bundle.json');
    const refused = await runCli(['--encrypt-id-token=RSA1_5', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      'Stopped: --encrypt-id-token=RSA1_5: the bank offers RSA-OAEP-256 and ECDH-ES',
    );
    const wrongProfile = await runCli(['--profile', 'fapi3', file]);
    expect(wrongProfile.stderr).toContain('--profile fapi3: choose fapi2 or fapi1-baseline');
    // A bundle without encryption keys (made before the directory made them) says what to do.
    const { encryption: _keys, ...older } = bundle;
    const olderFile = writeBundle(config, older as typeof bundle, 'older.bundle.json');
    const noKeys = await runCli(['--profile', 'fapi1-baseline', '--encrypt-id-token=ECDH-ES', olderFile]);
    expect(noKeys.stderr).toContain('the bundle has no ECDH-ES encryption key');
  });
});

describe('examples/node-openid-client --encrypt-jarm', () => {
  it('asks for a JARM response, registers authorization_encrypted_response_alg/enc; the bank encrypts it to the bundle’s ECDH-ES key', async () => {
    let authorizationUrl: URL | undefined;
    const { bundle, lines, run } = await runWith(
      { encryptJarm: 'ECDH-ES', encryptIdToken: 'RSA-OAEP-256' },
      (url) => {
        authorizationUrl = url;
      },
    );
    const result = await run;
    expect(result.accounts.length).toBeGreaterThan(0);
    const bundleKey = bundle.encryption!.privateJwks.keys.find((key) => key.alg === 'ECDH-ES')!;
    expect(result.jarmJwe).toMatchObject({ alg: 'ECDH-ES', enc: 'A256GCM', kid: bundleKey.kid, cty: 'JWT' });
    // Both keys at once: the ID token came encrypted with the other algorithm.
    expect(result.idTokenJwe).toMatchObject({ alg: 'RSA-OAEP-256', enc: 'A256GCM' });
    // PAR carried response_mode=jwt; the browser saw only the request_uri.
    expect(authorizationUrl!.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
    expect(lines.join('\n')).toMatch(/JARM response signed by the bank, then encrypted to this client/);
    const registered = await clientStorage().find(result.clientId);
    expect(registered).toMatchObject({
      authorization_signed_response_alg: 'PS256',
      authorization_encrypted_response_alg: 'ECDH-ES',
      authorization_encrypted_response_enc: 'A256GCM',
    });
  });

  it('refuses a JARM response in clear when it registered for encryption (JARM §2.2, §3)', async () => {
    // The bank "forgets" the encryption the client registered before the customer is sent back: it then
    // signs the JARM response but sends it in clear, and the example must not take it.
    const { run } = await runWith({ encryptJarm: 'RSA-OAEP-256' }, async (url) => {
      const clientId = url.searchParams.get('client_id')!;
      const storage = clientStorage();
      const {
        authorization_encrypted_response_alg: _alg,
        authorization_encrypted_response_enc: _enc,
        ...rest
      } = await storage.find(clientId);
      await storage.upsert(clientId, rest, 0);
    });
    await expect(run.catch(describeFailure)).resolves.toMatch(
      /the bank sent the JARM response in clear \(a JWS\), though this client registered authorization_encrypted_response_alg: refused \(JARM §2\.2, §3\)/,
    );
  });

  it('from the command line: not with --profile fapi1-baseline, and not with an algorithm the bank does not offer', async () => {
    const { bundle } = await learnerBundle(config);
    const file = writeBundle(config, bundle, 'jarm.bundle.json');
    const baseline = await runCli(['--profile', 'fapi1-baseline', '--encrypt-jarm', file]);
    expect(baseline.code).toBe(1);
    expect(baseline.stderr).toContain('Stopped: encrypted JARM responses need JARM');
    const refused = await runCli(['--encrypt-jarm=A128KW', file]);
    expect(refused.stderr).toContain(
      'Stopped: --encrypt-jarm=A128KW: the bank offers RSA-OAEP-256 and ECDH-ES',
    );
  });
});
