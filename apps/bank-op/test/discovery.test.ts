// The discovery document advertises exactly what is enforced (the conformance suite's
// discovery-end-point-verification modules for FAPI 2.0 and FAPI 1.0 Advanced), and the mTLS listener
// serves only the endpoints it advertises as aliases.
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { json } from './support/tpp.js';

let sandbox: Sandbox;
let metadata: Record<string, unknown>;

const FAPI_ALGS = ['PS256', 'ES256', 'EdDSA', 'Ed25519'];

beforeAll(async () => {
  sandbox = await startSandbox();
  const res = await json(
    await fetch(`${sandbox.config.bankOp.issuer}/.well-known/openid-configuration`, {
      dispatcher: sandbox.plain,
    }),
  );
  expect(res.status).toBe(200);
  metadata = res.body;
});
afterAll(async () => {
  await sandbox?.close();
});

describe('discovery', () => {
  it('names the issuer and https endpoints', () => {
    const issuer = sandbox.config.bankOp.issuer;
    expect(metadata.issuer).toBe(issuer);
    for (const name of [
      'authorization_endpoint',
      'token_endpoint',
      'jwks_uri',
      'pushed_authorization_request_endpoint',
    ]) {
      expect(String(metadata[name]), name).toMatch(new RegExp(`^${issuer}/`));
    }
    expect(metadata.registration_endpoint).toBe(`${sandbox.config.bankOp.mtls.origin}/register`);
  });

  it('advertises the FAPI 2.0 and FAPI 1.0 Advanced mechanisms it enforces', () => {
    expect(metadata.response_types_supported).toEqual(expect.arrayContaining(['code', 'code id_token']));
    expect(metadata.response_modes_supported).toEqual(expect.arrayContaining(['query', 'fragment', 'jwt']));
    expect(metadata.authorization_response_iss_parameter_supported).toBe(true);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.tls_client_certificate_bound_access_tokens).toBe(true);
    expect(metadata.require_pushed_authorization_requests).toBe(false);
    expect(metadata.request_parameter_supported).toBe(true);
    expect(metadata.request_uri_parameter_supported).toBe(false);
    expect(metadata.claims_parameter_supported).toBe(true);
    expect(metadata.scopes_supported).toEqual(expect.arrayContaining(['openid', 'accounts', 'payments']));
    expect(metadata.subject_types_supported).toEqual(['public']);
    expect(metadata.acr_values_supported).toContain('urn:openbanking:psd2:sca');
    expect(metadata.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials']),
    );
    expect(metadata.grant_types_supported).not.toContain('password');
  });

  it('lists only confidential-client authentication methods and FAPI algorithms', () => {
    // Not self_signed_tls_client_auth: tokens are bound only to directory transport certificates (RFC 8705 §3).
    expect(new Set(metadata.token_endpoint_auth_methods_supported as string[])).toEqual(
      new Set(['private_key_jwt', 'tls_client_auth']),
    );
    for (const name of [
      'token_endpoint_auth_signing_alg_values_supported',
      'request_object_signing_alg_values_supported',
      'id_token_signing_alg_values_supported',
      'authorization_signing_alg_values_supported',
      'dpop_signing_alg_values_supported',
    ]) {
      const algs = metadata[name] as string[];
      expect(algs.length, name).toBeGreaterThan(0);
      for (const alg of algs) expect(FAPI_ALGS, `${name}: ${alg}`).toContain(alg);
    }
    expect(metadata.id_token_signing_alg_values_supported).toContain('PS256');
  });

  it('lists mtls_endpoint_aliases for back-channel endpoints that exist at the top level, never the authorization endpoint', () => {
    const aliases = metadata.mtls_endpoint_aliases as Record<string, string>;
    expect(aliases.authorization_endpoint).toBeUndefined();
    for (const [name, url] of Object.entries(aliases)) {
      expect(metadata[name], name).toBeDefined();
      expect(url).toMatch(new RegExp(`^${sandbox.config.bankOp.mtls.origin}/`));
    }
    expect(Object.keys(aliases)).toEqual(
      expect.arrayContaining([
        'token_endpoint',
        'pushed_authorization_request_endpoint',
        'registration_endpoint',
      ]),
    );
  });

  it('publishes the bank signing and encryption keys without private members', async () => {
    const res = await json(await fetch(String(metadata.jwks_uri), { dispatcher: sandbox.plain }));
    const keys = res.body.keys as Record<string, unknown>[];
    const byUse = (use: string) =>
      keys
        .filter((key) => key.use === use)
        .map((key) => key.alg)
        .sort();
    expect(byUse('sig')).toEqual(['ES256', 'PS256']);
    expect(byUse('enc')).toEqual(['ECDH-ES', 'RSA-OAEP-256']);
    expect(keys).toHaveLength(4);
    for (const key of keys) expect(key.d).toBeUndefined();
  });

  it('does not serve discovery or the authorization endpoint on the mTLS listener', async () => {
    for (const path of ['/.well-known/openid-configuration', '/authorize']) {
      const res = await json(
        await fetch(`${sandbox.config.bankOp.mtls.origin}${path}`, { dispatcher: sandbox.plain }),
      );
      expect(res.status, path).toBe(404);
      expect(res.body.error).toBe('not_found');
    }
  });

  it('answers GET /health', async () => {
    const res = await json(
      await fetch(`${sandbox.config.bankOp.issuer}/health`, { dispatcher: sandbox.plain }),
    );
    expect(res.body).toEqual({ status: 'ok', party: 'bank-op' });
  });
});
