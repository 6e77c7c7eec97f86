// Bring your own client (issue #13): a learner signs up at the directory's developer portal, downloads a
// client bundle, and with nothing but that bundle fetches the SSA over mTLS, registers at the real bank-op
// by DCR (RFC 7591, private_key_jwt with the bundle's PS256 key) and gets a client_credentials token
// bound to the bundle's transport certificate. The bundle's own CA bundle verifies every party's TLS.
import { randomUUID, type webcrypto } from 'node:crypto';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { clientAssertionParams, createClientAssertion } from '@fapi-sandbox/fapi-core/jose/client-assertion';
import { sandboxLookup } from '@fapi-sandbox/fapi-core/tls';
import { decodeJwt, importJWK, type JWK } from 'jose';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientBundle, createLearnerBundle } from './support/learner-bundle.js';
import { useRunningParties } from './support/parties.js';

let config: SandboxConfig;
useRunningParties((started) => {
  config = started;
});

let bundle: ClientBundle;
let transport: Agent;

/** The learner's TLS client: the bundle's CA bundle to trust the parties, its certificate for mTLS. */
function bundleAgent(withCertificate: boolean): Agent {
  return new Agent({
    connect: {
      ca: bundle.trust.serverCaBundlePem,
      lookup: sandboxLookup,
      ...(withCertificate
        ? { cert: bundle.transport.certificatePem, key: bundle.transport.privateKeyPem }
        : {}),
    },
  });
}

beforeAll(async () => {
  bundle = await createLearnerBundle(config, { orgName: 'Acme Learner Ltd' });
  transport = bundleAgent(true);
}, 30_000);
afterAll(async () => {
  await transport?.close();
});

async function jsonOf(response: Awaited<ReturnType<typeof fetch>>) {
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The bank's mTLS endpoint aliases (RFC 8705 §5), from its discovery document. */
async function bankEndpoints(): Promise<Record<string, string>> {
  const discovery = await jsonOf(await fetch(bundle.endpoints.bankDiscovery, { dispatcher: transport }));
  return discovery.body.mtls_endpoint_aliases as Record<string, string>;
}

/** RFC 6749 §4.4 client_credentials with private_key_jwt (RFC 7523) signed by `signingKey`, over mTLS. */
async function clientCredentials(clientId: string, signingKey: JWK) {
  const assertion = await createClientAssertion({
    clientId,
    issuer: bundle.endpoints.bankIssuer,
    signingKey: {
      key: (await importJWK(signingKey, 'PS256')) as webcrypto.CryptoKey,
      alg: 'PS256',
      kid: signingKey.kid,
    },
  });
  return jsonOf(
    await fetch((await bankEndpoints()).token_endpoint!, {
      method: 'POST',
      dispatcher: transport,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-fapi-interaction-id': randomUUID() },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'accounts',
        client_id: clientId,
        ...clientAssertionParams(assertion),
      }).toString(),
    }),
  );
}

const ps256Of = (keys: JWK[]) => keys.find((key) => key.alg === 'PS256')!;

describe('a client brought by a learner, with only the portal bundle', () => {
  let clientId: string;

  it('registers at the bank by DCR with the SSA fetched over mTLS and gets a client_credentials token', async () => {
    const ssa = await fetch(bundle.endpoints.ssa, { dispatcher: transport });
    expect(ssa.status).toBe(200);
    const softwareStatement = await ssa.text();
    expect(decodeJwt(softwareStatement).software_id).toBe(bundle.software.softwareId);

    const aliases = await bankEndpoints();
    const registration = await jsonOf(
      await fetch(aliases.registration_endpoint!, {
        method: 'POST',
        dispatcher: transport,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          software_statement: softwareStatement,
          token_endpoint_auth_method: 'private_key_jwt',
          token_endpoint_auth_signing_alg: 'PS256',
          jwks_uri: bundle.software.jwksUri,
          redirect_uris: bundle.software.redirectUris,
          grant_types: ['authorization_code', 'client_credentials'],
          tls_client_certificate_bound_access_tokens: true,
        }),
      }),
    );
    expect(registration.status, JSON.stringify(registration.body)).toBe(201);
    clientId = String(registration.body.client_id);
    expect(registration.body.jwks_uri).toBe(bundle.software.jwksUri);

    const token = await clientCredentials(clientId, ps256Of(bundle.signing.privateJwks.keys));
    expect(token.status, JSON.stringify(token.body)).toBe(200);
    expect(token.body.token_type).toBe('Bearer');
    expect(typeof token.body.access_token).toBe('string');
  });

  it("refuses a client assertion signed with a key that is not in the software's JWKS", async () => {
    expect(clientId).toBeTruthy();
    const other = await createLearnerBundle(config, { orgName: 'Other Learner Ltd' });
    const token = await clientCredentials(clientId, ps256Of(other.signing.privateJwks.keys));
    expect(token.status).toBe(401);
    expect(token.body.error).toBe('invalid_client');
  });

  it("reads the learner's own traffic at the directory and the bank with the bundle's transport certificate", async () => {
    const directory = await jsonOf(await fetch(bundle.endpoints.trace.directory, { dispatcher: transport }));
    expect(directory.status).toBe(200);
    expect(JSON.stringify(directory.body.events)).toContain(`${bundle.software.softwareId}/ssa`);
    const bankOp = await jsonOf(await fetch(bundle.endpoints.trace.bankOp, { dispatcher: transport }));
    expect(bankOp.status).toBe(200);
    const steps = (bankOp.body.events as { status: number }[]).map((event) => event.status);
    // The registration (201), the token (200) and the refused assertion (401) of the tests above.
    expect(steps).toEqual(expect.arrayContaining([201, 200, 401]));
  });
});
