// A long-running party follows its participant's transport files: after the directory writes a new key and
// certificate (a reissue), the next call presents the new certificate, over a new connection; a pair caught
// half written (a key that is not the certificate's) is never presented.
import fs from 'node:fs';
import type https from 'node:https';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SandboxConfig } from '../src/config.js';
import { CurrentTransportAgent } from '../src/current-transport-agent.js';
import { certificateThumbprint } from '../src/jose/thumbprint.js';
import { peerCertificateOf } from '../src/peer-certificate.js';
import { isolatedConfigWithOwnCertificates, removeTestData } from '../src/testing.js';
import { close, createMtlsServer, listen } from '../src/tls.js';

let config: SandboxConfig;
let mtls: https.Server;

beforeAll(async () => {
  config = await isolatedConfigWithOwnCertificates();
  mtls = createMtlsServer(
    config.bankOp,
    (req, res) => res.end(peerCertificateOf(req.socket)?.x5tS256 ?? 'none'),
    config,
  );
  await listen(mtls, config.bankOp.mtls);
});
afterAll(async () => {
  await close(mtls);
  removeTestData(config);
});

/** Writes like the directory does, and moves the clock of the files so the change is seen. */
function replace(file: string, contents: Buffer, secondsLater: number): void {
  fs.writeFileSync(file, contents);
  const at = new Date(Date.now() + secondsLater * 1000);
  fs.utimesSync(file, at, at);
}

describe('the current transport agent', () => {
  it('presents the certificate the files hold now, and never a key that does not match its certificate', async () => {
    const { demo, second } = config.participants;
    const pem = (file: string) => fs.readFileSync(file);
    const original = { cert: pem(demo.transportCert), key: pem(demo.transportKey) };
    const other = { cert: pem(second.transportCert), key: pem(second.transportKey) };
    const agent = new CurrentTransportAgent(demo, config);
    const presented = async () =>
      (await fetch(`${config.bankOp.mtls.origin}/`, { dispatcher: agent })).text();
    try {
      expect(await presented()).toBe(certificateThumbprint(original.cert.toString()));

      // A new pair (here Budgetly's, as a reissue would write a new one): used at the next call.
      replace(demo.transportKey, other.key, 1);
      replace(demo.transportCert, other.cert, 1);
      const renewed = certificateThumbprint(other.cert.toString());
      expect(await presented()).toBe(renewed);
      expect(agent.thumbprint()).toBe(renewed);

      // Half written: the old certificate with the new key. The agent keeps the last whole pair.
      replace(demo.transportCert, original.cert, 2);
      expect(await presented()).toBe(renewed);
      expect(agent.thumbprint()).toBe(renewed);
    } finally {
      await agent.close();
    }
  });
});
