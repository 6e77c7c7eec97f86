// The journeys' floor: the signatures, verifications and TLS handshakes the servers need for one journey
// of the benchmark (FAPI 2.0 + DPoP + private_key_jwt, runFlowOnce in flows.ts), done in a loop on one
// core with the sandbox's own keys. Journeys per second of bank-op, bank-api and the directory on one
// core, divided by this, is the share of their CPU that goes to the work the protocol demands.

import fs from 'node:fs';
import tls from 'node:tls';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { generateDpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import { loadSigningKeys } from '@fapi-sandbox/fapi-core/jose/keys';
import { readPem, sandboxLookup, webServerOptions } from '@fapi-sandbox/fapi-core/tls';
import { compactVerify, importJWK, type JWK, SignJWT } from 'jose';

/**
 * One journey's server-side work, step by step (the client's own signatures run on the load generator's
 * core and are not counted):
 *   client-credentials token  bank-op: verify the client assertion (PS256) and the DPoP proof (ES256),
 *                             sign the access token (PS256)
 *   consent creation          bank-api: verify the access token (PS256) and the DPoP proof (ES256)
 *   PAR                       bank-op: verify the client assertion (PS256) and the DPoP proof (ES256)
 *   sign-in and consent       bank-op: the customer's browser opens a TLS connection (one handshake)
 *   token exchange            bank-op: verify the client assertion (PS256) and the DPoP proof (ES256),
 *                             sign the access token and the ID token (PS256 each)
 *   first API call            bank-api: verify the access token (PS256) and the DPoP proof (ES256)
 * The TPP's back-channel connections are kept alive across journeys, as the benchmark's client keeps them.
 */
export const JOURNEY_WORK = {
  ps256Signatures: 3,
  ps256Verifications: 5,
  es256Verifications: 5,
  tlsHandshakes: 1,
};

export interface FloorRun {
  journeys: number;
  elapsedMs: number;
}

export async function prepareJourneyFloor(config: SandboxConfig) {
  const bankKey = (await loadSigningKeys(config.bankOp.signingJwks, { profile: 'fapi2' })).forAlg('PS256');
  const participantKey = (
    await loadSigningKeys(config.participants.demo.signingJwks, { profile: 'fapi2' })
  ).forAlg('PS256');
  const publicKeys = JSON.parse(fs.readFileSync(config.participants.demo.signingPublicJwks, 'utf8')) as {
    keys: JWK[];
  };
  const participantPublic = await importJWK(publicKeys.keys.find((key) => key.kty === 'RSA')!, 'PS256');
  const assertion = await new SignJWT({ iss: 'client', sub: 'client', aud: config.bankOp.issuer })
    .setProtectedHeader({ alg: 'PS256' })
    .setIssuedAt()
    .setJti('floor')
    .sign(participantKey.key);
  const dpopKey = await generateDpopKey('ES256');
  const dpopPublic = await importJWK(dpopKey.publicJwk, 'ES256');
  const proof = await new SignJWT({ htm: 'GET', htu: config.bankApi.baseUrl, jti: 'floor' })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: dpopKey.publicJwk })
    .setIssuedAt()
    .sign(dpopKey.privateKey);

  // A TLS listener with bank-op's certificate; each handshake is a fresh connection (no resumption).
  const server = tls.createServer(webServerOptions(config.bankOp), (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const ca = readPem(config.ca.serverTrustBundle);
  const handshake = () =>
    new Promise<void>((resolve, reject) => {
      const socket = tls.connect({
        port,
        host: '127.0.0.1',
        servername: config.bankOp.web.host,
        ca,
        lookup: sandboxLookup,
      });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve();
      });
      socket.once('error', reject);
    });

  const oneJourney = async () => {
    const signatures: Promise<unknown>[] = [];
    for (let i = 0; i < JOURNEY_WORK.ps256Signatures; i++) {
      signatures.push(
        new SignJWT({ sub: 'customer', aud: config.bankApi.web.origin, cnf: { jkt: dpopKey.jkt } })
          .setProtectedHeader({ alg: 'PS256', kid: bankKey.kid ?? 'bank' })
          .setIssuedAt()
          .sign(bankKey.key),
      );
    }
    await Promise.all(signatures);
    for (let i = 0; i < JOURNEY_WORK.ps256Verifications; i++)
      await compactVerify(assertion, participantPublic);
    for (let i = 0; i < JOURNEY_WORK.es256Verifications; i++) await compactVerify(proof, dpopPublic);
    for (let i = 0; i < JOURNEY_WORK.tlsHandshakes; i++) await handshake();
  };

  return {
    /** Journeys' worth of work done back to back for `durationMs`. */
    async run(durationMs: number): Promise<FloorRun> {
      const began = performance.now();
      let journeys = 0;
      while (performance.now() - began < durationMs) {
        await oneJourney();
        journeys++;
      }
      return { journeys, elapsedMs: performance.now() - began };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
