// Which certificate a token may be bound to (RFC 8705 §3): only a transport certificate the directory
// issued to the client's own software, valid and active now. Without this rule a client authenticating
// with private_key_jwt could present another participant's certificate, or one from a CA nobody trusts,
// and receive a token bound to it. The rule is the registration's (registration/transport-certificate.ts,
// OB DCR v3.3 §4.2), applied again at the token endpoint:
//   - `prefetch` runs in front of oidc-provider's token endpoint and asks the directory about the
//     presented certificate (answers reused for the directory's max-age), because oidc-provider reads certificates
//     synchronously;
//   - `certificateFor` is oidc-provider's `features.mTLS.getCertificate`: once the client is known, it
//     applies the rule and refuses (invalid_client for a client that authenticates with the certificate,
//     invalid_grant otherwise) or hands oidc-provider the certificate to bind.
import type { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { composeDescription } from '@fapi-sandbox/fapi-core/errors';
import type { NextFunction, Request, Response } from 'express';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import type { CertificateStatusRecord, DirectoryReads } from '../participants/directory.js';
import { askCertificateStatus, assertTransportCertificateOf } from '../registration/transport-certificate.js';
import type { CertificateSource } from './client-certificate.js';

const CLAUSE = 'RFC 8705 §3 and §2.1, FAPI 2.0 SP §5.3.2.1-4, OB DCR v3.3 §4.2';

/** How long a directory answer prefetched for a request stays usable by oidc-provider's synchronous hook. */
const SETTLED_MS = 5000;

export interface CertificateBindingOptions {
  /** Reuses an answer only for the directory's max-age (index.ts asks fapi-core's client to). */
  directory: Pick<DirectoryReads, 'certificateStatus'>;
  certificates: CertificateSource;
}

interface RegisteredParticipant {
  clientId: string;
  clientAuthMethod?: string;
  software_id?: unknown;
  org_id?: unknown;
}

export interface CertificateBinding {
  /** Express middleware for the token endpoint: settles the directory's answer before oidc-provider runs. */
  prefetch(): (req: Request, res: Response, next: NextFunction) => void;
  /** features.mTLS.getCertificate */
  certificateFor(ctx: KoaContextWithOIDC): X509Certificate | undefined;
}

/** A client whose certificate is its credential is refused as a client; any other has its grant refused. */
function refusalFor(client: RegisteredParticipant) {
  const authenticatesWithCertificate = client.clientAuthMethod === 'tls_client_auth';
  return (description: string, fix: string): Error => {
    const text = composeDescription({
      description: `${description}: a token is bound only to a transport certificate the directory issued to the client's own software`,
      clause: CLAUSE,
      fix,
    });
    return authenticatesWithCertificate ? new errors.InvalidClientAuth(text) : new errors.InvalidGrant(text);
  };
}

export function createCertificateBinding(options: CertificateBindingOptions): CertificateBinding {
  const settled = new Map<string, { status: CertificateStatusRecord | undefined; until: number }>();

  function settle(x5t: string, status: CertificateStatusRecord | undefined): void {
    const now = performance.now();
    for (const [key, entry] of settled) if (entry.until <= now) settled.delete(key);
    settled.set(x5t, { status, until: now + SETTLED_MS });
  }

  return {
    prefetch() {
      return (req, _res, next) => {
        const presented = options.certificates.certificateOf(req);
        if (!presented) {
          next();
          return;
        }
        askCertificateStatus(presented, options.directory)
          .then((status) => {
            settle(presented.x5tS256, status);
            next();
          })
          .catch(next);
      };
    },

    certificateFor(ctx) {
      const presented = options.certificates.certificateOf(ctx.req as IncomingMessage);
      if (!presented) return undefined;
      // Binding happens at the token endpoint; elsewhere the certificate is compared with a token's cnf.
      const client = ctx.oidc?.client as unknown as RegisteredParticipant | undefined;
      if (ctx.oidc?.route !== 'token' || !client) return presented.x509;
      const refuse = refusalFor(client);
      const { software_id: softwareId, org_id: orgId } = client;
      if (typeof softwareId !== 'string' || typeof orgId !== 'string') {
        throw refuse(
          `Client ${client.clientId} names no directory software (software_id, org_id)`,
          'register the client with a software statement from the directory',
        );
      }
      const answer = settled.get(presented.x5tS256);
      if (presented.issuedByDirectory && (!answer || answer.until <= performance.now())) {
        // Fail closed: a certificate the directory was not asked about is never bound.
        throw refuse(
          'The directory was not asked about the client certificate in time',
          `retry the token request with the transport certificate the directory issued to your software ${softwareId}`,
        );
      }
      assertTransportCertificateOf(presented, { orgId, softwareId }, answer?.status, refuse);
      return presented.x509;
    },
  };
}
