import fs from 'node:fs';
import type https from 'node:https';
import tls from 'node:tls';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxConfig } from '../src/config.js';
import { certificateThumbprint } from '../src/jose/thumbprint.js';
import { peerCertificateOf } from '../src/peer-certificate.js';
import { isolatedConfig, removeTestData } from '../src/testing.js';
import {
  close,
  createMtlsServer,
  createSandboxAgent,
  createWebServer,
  isLoopbackName,
  listen,
  sandboxLookup,
  transportAgentFor,
} from '../src/tls.js';

let config: SandboxConfig;
let web: https.Server;
let mtls: https.Server;

beforeAll(async () => {
  config = await isolatedConfig();
  web = createWebServer(config.bankOp, (_req, res) => res.end('web'));
  mtls = createMtlsServer(
    config.bankOp,
    (req, res) => {
      const peer = peerCertificateOf(req.socket);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify(
          peer ? { x5t: peer.x5tS256, authorized: peer.authorized, cn: peer.identity.softwareId } : null,
        ),
      );
    },
    config,
  );
  await listen(web, config.bankOp.web);
  await listen(mtls, config.bankOp.mtls);
});

afterAll(async () => {
  await close(web);
  await close(mtls);
  removeTestData(config);
});

/** A raw TLS handshake to the web listener with the client's options; resolves with the negotiated protocol or the error. */
function handshake(
  options: tls.ConnectionOptions,
): Promise<{ protocol?: string | null; cipher?: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port: config.bankOp.web.port,
      servername: config.bankOp.web.host,
      ca: fs.readFileSync(config.ca.serverTrustBundle),
      ...options,
    });
    socket.once('secureConnect', () => {
      resolve({ protocol: socket.getProtocol(), cipher: socket.getCipher().standardName });
      socket.destroy();
    });
    socket.once('error', (err) => resolve({ error: err.message }));
  });
}

describe('the sandbox HTTP client', () => {
  it('reaches a party by its *.localhost name, verifying it against the sandbox CA', async () => {
    const response = await fetch(`${config.bankOp.web.origin}/`, {
      dispatcher: createSandboxAgent({}, config),
    });
    expect(await response.text()).toBe('web');
  });

  it('fails against the same server when it does not trust the sandbox CA', async () => {
    const untrusting = new Agent({ connect: { lookup: sandboxLookup } });
    await expect(fetch(`${config.bankOp.web.origin}/`, { dispatcher: untrusting })).rejects.toThrow();
  });

  it('resolves localhost names to loopback and leaves other names to DNS', () => {
    expect(isLoopbackName('api.bank.localhost')).toBe(true);
    expect(isLoopbackName('LOCALHOST.')).toBe(true);
    expect(isLoopbackName('localhost.example.com')).toBe(false);
  });
});

describe('FAPI TLS rules on the server (FAPI 2.0 SP §5.2.1, FAPI 1.0 Adv §8.5)', () => {
  it('negotiates TLS 1.3', async () => {
    expect(await handshake({})).toMatchObject({ protocol: 'TLSv1.3' });
  });

  it('negotiates TLS 1.2 with an ECDHE-GCM suite', async () => {
    const result = await handshake({ maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
    expect(result).toMatchObject({ protocol: 'TLSv1.2', cipher: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256' });
  });

  it('refuses TLS 1.2 with a CBC suite BCP 195 does not recommend', async () => {
    const result = await handshake({
      maxVersion: 'TLSv1.2',
      ciphers: 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA',
    });
    expect(result.error).toBeDefined();
  });

  it('refuses TLS 1.1 even from a client willing to speak it', async () => {
    const result = await handshake({
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    expect(result.error).toBeDefined();
  });
});

describe('the mTLS listener (RFC 8705)', () => {
  const call = (dispatcher: Agent) =>
    fetch(`${config.bankOp.mtls.origin}/`, { dispatcher }).then(
      (r) => r.json() as Promise<Record<string, unknown> | null>,
    );

  it('reads the presented transport certificate from the socket, chained to the directory CA', async () => {
    const seen = await call(transportAgentFor(config.participants.demo, config));
    expect(seen).toEqual({
      x5t: certificateThumbprint(fs.readFileSync(config.participants.demo.transportCert, 'utf8')),
      authorized: true,
      cn: config.participants.demo.softwareId,
    });
  });

  it('lets a client without a certificate through the TLS layer, for the app to decide', async () => {
    expect(await call(createSandboxAgent({}, config))).toBeNull();
  });

  it('marks a certificate from an untrusted CA as not authorized', async () => {
    const untrusted = createSandboxAgent(
      { certFile: config.negative.untrustedTransportCert, keyFile: config.negative.untrustedTransportKey },
      config,
    );
    expect(await call(untrusted)).toMatchObject({ authorized: false });
  });

  it('marks an expired directory certificate as not authorized', async () => {
    const expired = createSandboxAgent(
      { certFile: config.negative.expiredTransportCert, keyFile: config.negative.expiredTransportKey },
      config,
    );
    expect(await call(expired)).toMatchObject({ authorized: false });
  });
});

describe('the mTLS listener: a connection keeps the certificate of its handshake', () => {
  const transport = (certFile: string, keyFile: string) => createSandboxAgent({ certFile, keyFile }, config);

  it('reads each connection’s own certificate: another connection with another certificate is never answered from the first one’s', async () => {
    const demo = config.participants.demo;
    const ours = transport(demo.transportCert, demo.transportKey);
    const theirs = transport(config.negative.untrustedTransportCert, config.negative.untrustedTransportKey);
    const call = (dispatcher: Agent) =>
      fetch(`${config.bankOp.mtls.origin}/`, { dispatcher }).then(
        (r) => r.json() as Promise<{ x5t: string; authorized: boolean }>,
      );
    const demoX5t = certificateThumbprint(fs.readFileSync(demo.transportCert, 'utf8'));
    const untrustedX5t = certificateThumbprint(
      fs.readFileSync(config.negative.untrustedTransportCert, 'utf8'),
    );
    // Keep-alive connections, taking turns: each answer is that connection's certificate, and its verdict.
    for (let turn = 0; turn < 3; turn++) {
      expect(await call(ours)).toEqual(expect.objectContaining({ x5t: demoX5t, authorized: true }));
      expect(await call(theirs)).toEqual(expect.objectContaining({ x5t: untrustedX5t, authorized: false }));
    }
    await Promise.all([ours.close(), theirs.close()]);
  });

  it('refuses a TLS 1.2 client’s renegotiation, by which it could present another certificate', async () => {
    const demo = config.participants.demo;
    const outcome = await new Promise<string>((resolve) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port: config.bankOp.mtls.port,
        servername: config.bankOp.mtls.host,
        ca: fs.readFileSync(config.ca.serverTrustBundle),
        cert: fs.readFileSync(demo.transportCert),
        key: fs.readFileSync(demo.transportKey),
        maxVersion: 'TLSv1.2',
      });
      socket.on('error', (err) => resolve(`error: ${err.message}`));
      socket.once('secureConnect', () => {
        const asked = socket.renegotiate({ rejectUnauthorized: true }, (err) => {
          resolve(err ? `error: ${err.message}` : 'renegotiated');
          socket.destroy();
        });
        if (!asked) resolve('error: not started');
      });
    });
    expect(outcome).toMatch(/^error: .*no renegotiation/);
  });
});
