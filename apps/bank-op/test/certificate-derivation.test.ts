// bank-op reads and verifies a request's client certificate once (RFC 8705 §2): the status gate, client
// authentication, the token binding and the trace all read that one answer. Nothing carries over to the
// next request, not even on the same keep-alive connection. The two functions that do the work are
// wrapped to count their calls.
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { type RegisteredClient, TestTpp } from './support/tpp.js';

const calls = vi.hoisted(() => ({ peerCertificateOf: 0, issuedBy: 0 }));

vi.mock('@fapi-sandbox/fapi-core/peer-certificate', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@fapi-sandbox/fapi-core/peer-certificate')>();
  return {
    ...actual,
    peerCertificateOf: (socket: unknown) => {
      calls.peerCertificateOf++;
      return actual.peerCertificateOf(socket);
    },
  };
});
vi.mock('@fapi-sandbox/fapi-core/certificate-identity', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@fapi-sandbox/fapi-core/certificate-identity')>();
  return {
    ...actual,
    issuedBy: (...args: Parameters<typeof actual.issuedBy>) => {
      calls.issuedBy++;
      return actual.issuedBy(...args);
    },
  };
});

let sandbox: Sandbox;
let tpp: TestTpp;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
});
afterAll(async () => {
  await sandbox?.close();
});

const CLIENT_CREDENTIALS = { grant_type: 'client_credentials', scope: 'accounts' };

/** Token requests for `client`, counting the certificate derivations they cost bank-op. */
async function derivationsOf(client: RegisteredClient, requests: number) {
  await tpp.token(client, CLIENT_CREDENTIALS); // the directory's answers cached, the connection open
  calls.peerCertificateOf = 0;
  calls.issuedBy = 0;
  for (let i = 0; i < requests; i++) {
    const res = await tpp.token(client, CLIENT_CREDENTIALS);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(decodeJwt(String(res.body.access_token)).cnf).toHaveProperty(['x5t#S256']);
  }
  return { ...calls };
}

describe('the client certificate of a token request', () => {
  it('is read from the TLS socket and verified once for a private_key_jwt client with a certificate-bound token', async () => {
    const client = await tpp.register({ authMethod: 'private_key_jwt', senderConstraint: 'mtls' });
    expect(await derivationsOf(client, 1)).toEqual({ peerCertificateOf: 1, issuedBy: 1 });
  });

  it('is read and verified once for a tls_client_auth client, where the certificate is also the credential', async () => {
    const client = await tpp.register({ authMethod: 'tls_client_auth', senderConstraint: 'mtls' });
    expect(await derivationsOf(client, 1)).toEqual({ peerCertificateOf: 1, issuedBy: 1 });
  });

  it('is read and verified again for each request on the same keep-alive connection', async () => {
    const client = await tpp.register({ authMethod: 'private_key_jwt', senderConstraint: 'mtls' });
    expect(await derivationsOf(client, 3)).toEqual({ peerCertificateOf: 3, issuedBy: 3 });
  });
});
