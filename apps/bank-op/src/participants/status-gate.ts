// The directory stays in charge after registration: when it suspends a software statement (or its
// organisation) or revokes a certificate, the client stops working at its next request. This gate runs
// in front of oidc-provider on every back-channel endpoint (PAR, token, introspection, revocation) and
// on the authorization endpoint: it finds which client is calling, asks the directory for the
// software's status and the presented certificate's status (reused for the directory's max-age), and
// refuses with invalid_client when either is no longer active. Then the JWTs the client signed (client
// assertion, request object) must name a key the directory still publishes (signing-key-gate.ts).
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import express, { type NextFunction, type Request, type Response } from 'express';
import { jwtClaimsOf } from '../http/request-jwts.js';
import { noteCheck } from '../http/trace.js';
import type { CertificateSource } from '../mtls/client-certificate.js';
import type { RegisteredClient } from '../provider/client-keys.js';
import {
  rememberInnerSigningKeyCheck,
  rememberRequestObjectEnvelope,
} from '../provider/request-object-encryption.js';
import { askDirectory, type DirectoryReads } from './directory.js';
import { type ClientSignedJwt, createSigningKeyGate } from './signing-key-gate.js';

const CLAUSE = 'OB Directory participant status, RFC 8705 §2.1';

export interface StatusGateOptions {
  /** Reuses an answer only for the directory's max-age (index.ts asks fapi-core's client to). */
  directory: DirectoryReads;
  certificates: CertificateSource;
  /** Once per request: the client found is handed on to the signing-key check. */
  findClient(clientId: string): Promise<RegisteredClient | undefined>;
  /** Makes the provider fetch the client's jwks_uri again if its copy has no key `kid`. */
  refreshClientKeys(client: RegisteredClient, kid: string): Promise<void>;
}

function refused(description: string, fix: string): OAuthError {
  return new OAuthError({ status: 401, error: 'invalid_client', description, clause: CLAUSE, fix });
}

/** The client a request claims to be, before oidc-provider authenticates it. */
function claimedClientId(req: Request, params: URLSearchParams): string | undefined {
  const clientId = params.get('client_id');
  if (clientId) return clientId;
  const assertion = params.get('client_assertion');
  if (!assertion) return undefined;
  const { sub, iss } = jwtClaimsOf(req, assertion) ?? {};
  return typeof sub === 'string' ? sub : typeof iss === 'string' ? iss : undefined;
}

/** The JWTs a request carries that the client signed: its client assertion and its request object. */
function clientSignedJwts(params: URLSearchParams): ClientSignedJwt[] {
  const assertion = params.get('client_assertion');
  const request = params.get('request');
  return [
    ...(assertion ? [{ token: assertion, purpose: 'client_assertion' as const }] : []),
    ...(request ? [{ token: request, purpose: 'request_object' as const }] : []),
  ];
}

export function createStatusGate(options: StatusGateOptions) {
  const { directory } = options;
  const checkSigningKey = createSigningKeyGate({
    directory,
    refreshClientKeys: options.refreshClientKeys,
  });

  async function check(req: Request, res: Response, params: URLSearchParams): Promise<void> {
    const clientId = claimedClientId(req, params);
    const presented = options.certificates.certificateOf(req);
    if (presented) {
      const x5t = presented.x5tS256;
      const status = await askDirectory(() => directory.certificateStatus(x5t));
      // A certificate the directory never issued is judged by the client's registration and, where a token
      // would be bound to it, by the certificate-binding gate (mtls/certificate-binding.ts); one the
      // directory revoked or let expire is refused here, whatever the client.
      const certificateOk = status.status !== 'revoked' && status.status !== 'expired';
      noteCheck(res, {
        name: 'The client certificate is not revoked or expired in the directory',
        passed: certificateOk,
        clause: CLAUSE,
        detail: `The directory reports the certificate as ${status.status}`,
      });
      if (!certificateOk) {
        throw refused(
          `The directory reports the client certificate as ${status.status}${status.revokedAt ? ` (since ${status.revokedAt})` : ''}`,
          'obtain a new certificate from the directory',
        );
      }
    }
    if (!clientId) return;
    const client = await options.findClient(clientId);
    if (typeof client?.software_id !== 'string' || typeof client.org_id !== 'string') return;
    const { org_id: orgId, software_id: softwareId } = client;
    const { status } = await askDirectory(() => directory.softwareStatement(orgId, softwareId));
    noteCheck(res, {
      name: "The client's software is active in the directory",
      passed: status === 'active',
      clause: CLAUSE,
      detail: `Software ${softwareId} of organisation ${orgId} is ${status}`,
    });
    if (status !== 'active') {
      throw refused(
        `The directory lists software ${softwareId} of organisation ${orgId} as ${status}`,
        'the organisation must ask the directory to reactivate the software',
      );
    }
    // The software's JWKS is the client's key set only when it registered the directory's jwks_uri.
    if (typeof client.jwksUri !== 'string') return;
    for (const jwt of clientSignedJwts(params)) {
      await checkSigningKey(res, jwt, { registered: client, orgId, softwareId });
    }
    // An encrypted request object names the bank's key outside; the key that signed it is checked once
    // oidc-provider has decrypted it, before it verifies the signature (provider/request-object-encryption.ts).
    rememberInnerSigningKeyCheck(res, (jws) =>
      checkSigningKey(
        res,
        { token: jws, purpose: 'request_object' },
        { registered: client, orgId, softwareId },
      ),
    );
  }

  // oidc-provider's own limit for the bodies it parses (lib/shared/selective_body.js): it takes ours as read.
  const rawForm = express.raw({ type: () => true, limit: '56kb' });

  return {
    /**
     * For form-encoded back-channel endpoints: reads the body once, checks, and hands oidc-provider the same
     * request. Its body parser (lib/shared/selective_body.js) takes `req.body` as the bytes to parse when the
     * stream has already been read, so the body is neither read twice nor copied into a second request.
     * (It warns once that an upstream parser "is not recommended": such a parser could change the bytes or
     * the size limit; this one passes the bytes as sent, and the limit is oidc-provider's own.)
     */
    backChannel(provider: (req: Request, res: Response) => void) {
      return [
        rawForm,
        (req: Request, res: Response, next: NextFunction) => {
          const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
          const params = new URLSearchParams(body.toString('utf8'));
          rememberRequestObjectEnvelope(res, params.get('request'));
          check(req, res, params)
            .then(() => provider(req, res))
            .catch(next);
        },
      ];
    },

    /** For the authorization endpoint (GET, client_id in the query). */
    frontChannel() {
      return (req: Request, res: Response, next: NextFunction) => {
        const params = new URLSearchParams();
        for (const name of ['client_id', 'request']) {
          const value = req.query[name];
          if (typeof value === 'string') params.set(name, value);
        }
        check(req, res, params).then(() => next(), next);
      };
    },
  };
}
