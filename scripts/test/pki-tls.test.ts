// Real TLS handshakes with the generated PKI: clients that trust the server bundle reach a party by its
// host name, and an mTLS listener trusting the client bundle authorizes only directory-issued clients.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { RequestListener } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { loadConfig, type SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePki } from '../src/pki/generate.js';
import { readPkiManifest } from '../src/pki/manifest.js';

let tmp: string;
let config: SandboxConfig;
const servers: https.Server[] = [];

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'fapi-pki-tls-'));
  config = loadConfig({ ...process.env, FAPI_SANDBOX_CERTS_DIR: path.join(tmp, 'certs') });
  await generatePki(config);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await rm(tmp, { recursive: true, force: true });
});

const read = (file: string) => readFile(file, 'utf8');

async function listen(options: https.ServerOptions, handler: RequestListener): Promise<number> {
  const server = https.createServer(options, handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

interface ClientOptions {
  port: number;
  servername: string;
  ca: string;
  cert?: string;
  key?: string;
}

/** GET / over a fresh connection to 127.0.0.1, verifying the server as any sandbox client must. */
function get(options: ClientOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = https.get({ host: '127.0.0.1', path: '/', agent: false, ...options }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve(body));
    });
    request.on('error', reject);
  });
}

describe('server TLS', () => {
  let port: number;

  beforeAll(async () => {
    port = await listen(
      { cert: await read(config.bankOp.serverCert), key: await read(config.bankOp.serverKey) },
      (_request, response) => response.end('hello from bank-op'),
    );
  });

  it('is trusted through the server trust bundle for every bank-op host name', async () => {
    const ca = await read(config.ca.serverTrustBundle);
    await expect(get({ port, servername: 'bank.localhost', ca })).resolves.toBe('hello from bank-op');
    await expect(get({ port, servername: 'mtls.bank.localhost', ca })).resolves.toBe('hello from bank-op');
  });

  it('is trusted with the root CA alone, because the server sends the Server CA', async () => {
    const ca = await read(config.ca.root);
    await expect(get({ port, servername: 'bank.localhost', ca })).resolves.toBe('hello from bank-op');
  });

  it('fails for a host name the certificate does not carry', async () => {
    const ca = await read(config.ca.serverTrustBundle);
    await expect(get({ port, servername: 'api.bank.localhost', ca })).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  it('fails for a client that trusts another CA', async () => {
    const ca = await read(config.negative.untrustedCa);
    await expect(get({ port, servername: 'bank.localhost', ca })).rejects.toMatchObject({
      code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    });
  });
});

describe('mutual TLS', () => {
  let port: number;
  let ca: string;

  beforeAll(async () => {
    ca = await read(config.ca.serverTrustBundle);
    port = await listen(
      {
        cert: await read(config.bankOp.serverCert),
        key: await read(config.bankOp.serverKey),
        ca: await read(config.ca.clientTrustBundle),
        requestCert: true,
        // The listener lets the app decide (and explain) instead of dropping the handshake.
        rejectUnauthorized: false,
      },
      (request, response) => {
        const socket = request.socket as TLSSocket;
        const peer = socket.getPeerCertificate();
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify({
            authorized: socket.authorized,
            error: socket.authorizationError ?? null,
            subjectCN: peer.subject?.CN ?? null,
            serialNumber: peer.serialNumber ?? null,
          }),
        );
      },
    );
  });

  async function present(certFile: string, keyFile: string) {
    const body = await get({
      port,
      servername: 'mtls.bank.localhost',
      ca,
      cert: await read(certFile),
      key: await read(keyFile),
    });
    return JSON.parse(body) as {
      authorized: boolean;
      error: string | null;
      subjectCN: string;
      serialNumber: string;
    };
  }

  it('authorizes the demo and second TPP transport certificates', async () => {
    for (const p of [config.participants.demo, config.participants.second]) {
      const seen = await present(p.transportCert, p.transportKey);
      expect(seen).toMatchObject({ authorized: true, error: null, subjectCN: p.softwareId });
    }
  });

  it('does not authorize the impostor certificate from the untrusted CA', async () => {
    const seen = await present(config.negative.untrustedTransportCert, config.negative.untrustedTransportKey);
    expect(seen.authorized).toBe(false);
    expect(seen.subjectCN).toBe(config.participants.demo.softwareId);
    // The client sent the Untrusted CA along; it is self-signed and in no bundle.
    expect(seen.error).toBe('SELF_SIGNED_CERT_IN_CHAIN');
  });

  it('does not authorize the expired certificate', async () => {
    const seen = await present(config.negative.expiredTransportCert, config.negative.expiredTransportKey);
    expect(seen).toMatchObject({ authorized: false, error: 'CERT_HAS_EXPIRED' });
  });

  it('does not authorize a server certificate presented as a client certificate', async () => {
    const seen = await present(config.tpp.serverCert, config.tpp.serverKey);
    expect(seen).toMatchObject({ authorized: false, error: 'INVALID_PURPOSE' });
  });

  it('authorizes the revoked certificate at the TLS layer: revocation is the directory check', async () => {
    const seen = await present(config.negative.revokedTransportCert, config.negative.revokedTransportKey);
    const manifest = await readPkiManifest(config);
    expect(seen.authorized).toBe(true);
    expect(manifest.revokedSerials).toContain(seen.serialNumber.toUpperCase());
  });
});
