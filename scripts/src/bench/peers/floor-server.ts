// bank-api's floor: a minimal https server (node:https + jose, no framework) that does exactly the
// cryptographic and TLS work of bank-api's GET /aisp/accounts and nothing else, then answers fixed JSON.
//   - TLS: the same mTLS listener options (fapi-core/tls): client certificate requested, chain verified.
//   - the JWT access token's signature with bank-op's public key, its iss, aud and exp (RFC 9068 §4);
//   - DPoP (RFC 9449 §4.3, §7.1): the proof's signature with its jwk, typ, htm, htu, iat, a fresh jti,
//     ath = hash of the token, and cnf.jkt = the proof key's thumbprint;
//   - mTLS (RFC 8705 §3.1): cnf.x5t#S256 = the thumbprint of the connection's client certificate.
// It enforces nothing for anyone: it is the yardstick bank-api's own checks (pipeline.ts) are measured against.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { close, createMtlsServer, listen } from '@fapi-sandbox/fapi-core/tls';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  EmbeddedJWK,
  type JSONWebKeySet,
  type JWK,
  jwtVerify,
} from 'jose';
import type { RunningPeer } from './bare-oidc-provider.js';

export const FLOOR_PATH = '/open-banking/v3.1/aisp/accounts';
const ANSWER = JSON.stringify({ Data: { Account: [{ AccountId: 'floor' }] }, Links: {}, Meta: {} });
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi'];

/** The public half of bank-op's signing keys: what bank-api fetches from bank-op's jwks_uri. */
function bankOpPublicKeys(config: SandboxConfig): JSONWebKeySet {
  const { keys } = JSON.parse(fs.readFileSync(config.bankOp.signingJwks, 'utf8')) as JSONWebKeySet;
  return {
    keys: keys.map((key) =>
      Object.fromEntries(Object.entries(key).filter(([member]) => !PRIVATE_MEMBERS.includes(member))),
    ) as JWK[],
  };
}

export async function startFloorServer(options: {
  config: SandboxConfig;
  port: number;
}): Promise<RunningPeer> {
  const { config, port } = options;
  const listener = { ...config.bankApi.web, port, origin: `https://${config.bankApi.web.host}:${port}` };
  const bankOpKeys = createLocalJWKSet(bankOpPublicKeys(config));
  const seenJti = new Map<string, number>();
  const url = `${listener.origin}${FLOOR_PATH}`;

  const refuse = (res: ServerResponse, why: string) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'invalid_token', error_description: why }));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    if (req.method !== 'GET' || req.url !== FLOOR_PATH || !token) return refuse(res, 'GET with a token only');
    const { payload } = await jwtVerify(token, bankOpKeys, {
      issuer: config.bankOp.issuer,
      audience: config.bankApi.web.origin,
    });
    const cnf = payload.cnf as { jkt?: string; 'x5t#S256'?: string } | undefined;
    if (scheme === 'DPoP') {
      const proof = String(req.headers.dpop);
      const { payload: claims, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        maxTokenAge: 60,
      });
      const ath = createHash('sha256').update(token).digest('base64url');
      const jti = String(claims.jti);
      if (claims.htm !== 'GET' || claims.htu !== url || claims.ath !== ath || seenJti.has(jti)) {
        return refuse(res, 'DPoP proof does not match the request');
      }
      seenJti.set(jti, Number(claims.iat));
      if ((await calculateJwkThumbprint(protectedHeader.jwk!)) !== cnf?.jkt) return refuse(res, 'cnf.jkt');
    } else {
      const certificate = (req.socket as TLSSocket).getPeerX509Certificate();
      const thumbprint = certificate && createHash('sha256').update(certificate.raw).digest('base64url');
      if (!(req.socket as TLSSocket).authorized || thumbprint !== cnf?.['x5t#S256']) {
        return refuse(res, 'cnf.x5t#S256');
      }
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(ANSWER);
  };

  const server = createMtlsServer(
    { ...config.bankApi, web: listener, mtls: listener },
    (req, res) => void handle(req, res).catch((err: Error) => refuse(res, err.message)),
    config,
  );
  // jti are kept for a minute, as bank-api's replay cache keeps them.
  const sweep = setInterval(() => {
    const oldest = Date.now() / 1000 - 61;
    for (const [jti, iat] of seenJti) if (iat < oldest) seenJti.delete(jti);
  }, 10_000);
  await listen(server, listener);
  return {
    origin: listener.origin,
    stop: async () => {
      clearInterval(sweep);
      await close(server);
    },
  };
}
