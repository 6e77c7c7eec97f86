// The bank's OpenID Provider metadata (OIDC Discovery / RFC 8414), read and checked by the client engine
// from the discovery URL the directory lists; the TPP records the checks and turns a refusal into the
// error the learner sees. Endpoints are the mTLS alias whenever the call presents the certificate.
import {
  type BackChannelEndpoint,
  discoverBank as discover,
  endpointOf,
  type OpMetadata,
} from '@fapi-sandbox/fapi-client';
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';
import type { Dispatcher } from 'undici';
import { type TppEngine, tppStep } from '../connect/engine.js';
import { PartyError } from '../http/party-error.js';
import type { TraceLog } from '../trace/trace-log.js';
import type { AuthorisationServer } from './directory.js';

export type { OpMetadata };

/** The bank's back-channel endpoints, as the client engine names them. */
export type EndpointName = BackChannelEndpoint;

export interface BankMetadata {
  server: AuthorisationServer;
  metadata: OpMetadata;
  /** The endpoint's URL, its mTLS alias when `mutualTls` (RFC 8705 §5). */
  endpoint(name: EndpointName, mutualTls: boolean): string;
  /** The bank's signing keys (ID tokens, JARM), fetched once per discovery. */
  keys: JWTVerifyGetKey;
  /** The JWKS itself: its use enc keys are what request objects are encrypted to (RFC 9101 §6.1). */
  jwks: JSONWebKeySet;
}

export async function discoverBank(deps: {
  server: AuthorisationServer;
  engine: TppEngine;
  trace: TraceLog;
  webAgent: Dispatcher;
  interactionId: string;
}): Promise<BankMetadata> {
  const { server, interactionId } = deps;
  const context = { interactionId };
  const step = 'Read the bank’s OpenID configuration';
  const discovered = await discover(
    deps.engine,
    { discovery: tppStep('discovery', context), jwks: tppStep('op-jwks', context) },
    { discoveryUrl: server.discoveryUrl, issuer: server.issuer, dispatcher: deps.webAgent },
  );
  if ('failed' in discovered) {
    throw PartyError.fromResponse('bank-op', discovered.failed.recorded.step ?? step, discovered.failed);
  }
  if (discovered.checks.length > 0)
    deps.trace.recordChecks({ interactionId, step: 'discovery', checks: discovered.checks });
  if ('refusal' in discovered) {
    const { refusal } = discovered;
    throw new PartyError({
      party: 'bank-op',
      step,
      upstreamStatus: refusal.status,
      error: refusal.error,
      description: refusal.description,
      clause: refusal.clause,
      ...(refusal.fix ? { fix: refusal.fix } : {}),
    });
  }
  const { metadata, keys, jwks } = discovered;
  return {
    server,
    metadata,
    keys,
    jwks,
    endpoint(name, mutualTls) {
      const url = endpointOf(metadata, name, mutualTls);
      if (!url) {
        throw new PartyError({
          party: 'bank-op',
          step,
          upstreamStatus: 200,
          error: 'invalid_metadata',
          description: `The bank's discovery document has no ${name}`,
          clause: 'RFC 8414 §2',
        });
      }
      return url;
    },
  };
}
