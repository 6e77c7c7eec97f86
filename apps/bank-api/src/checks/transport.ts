// Check 1: the transport proves who holds the token. A DPoP client proves possession of its key with a
// proof for this very request (RFC 9449 §4.3, §7); an mTLS client presents its directory-issued transport
// certificate on the TLS connection (RFC 8705 §3), which must chain to the directory CA, be in date and
// not be revoked at the directory. FAPI 2.0 SP §5.3.4-5: only sender-constrained tokens are accepted, save a
// FAPI 1.0 Baseline client's bearer token (Part 1 §6.2.1-2), which needs no certificate (binding.ts decides).
import type { CertificateStatus } from '@fapi-sandbox/fapi-core/directory-client';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { type DpopNonceSource, verifyDpopProof } from '@fapi-sandbox/fapi-core/jose/dpop';
import type { ReplayCache } from '@fapi-sandbox/fapi-core/jose/replay-cache';
import { peerCertificateOf } from '@fapi-sandbox/fapi-core/peer-certificate';
import { jwtsForDisplay } from '@fapi-sandbox/fapi-core/trace';
import { DPOP_ALGS, refuse } from './challenge.js';
import type { Check, PipelineContext } from './context.js';

/** The directory's answer for a certificate (GET /certificate-status, fapi-core/directory-client). */
export type CertificateStatusLookup = (x5tS256: string) => Promise<CertificateStatus>;

export interface TransportCheckOptions {
  /** RFC 9449 §11.1: remembers DPoP proof jti values. */
  replayCache: ReplayCache;
  /** RFC 9449 §9: when given, proofs must carry a nonce this server issued. */
  nonces?: DpopNonceSource;
  certificateStatus: CertificateStatusLookup;
  /** Milliseconds since the epoch. */
  now?: () => number;
}

async function checkDpopProof(ctx: PipelineContext, options: TransportCheckOptions): Promise<string> {
  const proofHeader = ctx.headers.dpop;
  ctx.jwts.push(
    ...jwtsForDisplay(
      Array.isArray(proofHeader) ? proofHeader.join(' ') : (proofHeader ?? ''),
      'DPoP header',
    ),
  );
  // RFC 9449 §4.3 checks 1-12 (one proof, typ, alg, signature, htm, htu, nonce, iat window, ath) and §11.1 (jti).
  ctx.dpop = await verifyDpopProof({
    proof: proofHeader,
    method: ctx.method,
    url: ctx.url,
    replayCache: options.replayCache,
    verifier: 'resource-server',
    accessToken: ctx.credentials!.token,
    allowedAlgs: DPOP_ALGS,
    ...(options.nonces ? { nonces: options.nonces } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  for (const jwt of ctx.jwts) if (jwt.where.startsWith('DPoP header')) jwt.verified = true;
  return `DPoP proof verified (${ctx.dpop.alg}, htm ${ctx.dpop.claims.htm}, htu ${ctx.dpop.claims.htu}, ath matches, jti fresh${options.nonces ? ', nonce current' : ''}); key thumbprint ${ctx.dpop.jkt}`;
}

async function checkClientCertificate(ctx: PipelineContext, options: TransportCheckOptions): Promise<string> {
  const certificate = peerCertificateOf(ctx.socket);
  // RFC 6750 §2.1: a bearer token needs no certificate, and only a FAPI 1.0 Baseline client's token is
  // one; the binding check refuses every other token that arrives without its certificate (RFC 8705 §3).
  if (!certificate) {
    return 'no client certificate on this connection: only a FAPI 1.0 Baseline bearer token may be used without one (the binding check decides)';
  }
  ctx.certificate = certificate;
  // RFC 8705 §2.1 (PKI method): the certificate chains to the ecosystem's CA (the directory's) and is in date.
  if (!certificate.authorized) {
    throw refuse('Bearer', {
      status: 401,
      error: 'invalid_token',
      description: `The client certificate (${certificate.identity.softwareId ?? 'no single CN'}) was not accepted: ${certificate.authorizationError ?? 'it does not chain to the directory CA'}`,
      clause: 'RFC 8705 §2.1, FAPI 2.0 SP §5.3.4-5',
      fix: 'present a current transport certificate issued by the sandbox directory (certs/participants/<tpp>/transport.crt)',
    });
  }
  // The directory is the trust anchor: a certificate it revoked is refused once its answer's max-age
  // (one second, the directory's Cache-Control) has passed, CRL timing aside.
  let status: CertificateStatus;
  try {
    status = await options.certificateStatus(certificate.x5tS256);
  } catch (err) {
    throw new OAuthError({
      status: 503,
      error: 'temporarily_unavailable',
      description: `The directory could not be asked whether the client certificate is revoked (${err instanceof Error ? err.message : String(err)})`,
      clause: 'RFC 8705 §2.1',
      fix: 'start the directory (pnpm dev) and retry',
    });
  }
  ctx.certificateStatus = status;
  if (status.status !== 'active') {
    throw refuse('Bearer', {
      status: 401,
      error: 'invalid_token',
      description: `The directory reports the client certificate ${certificate.x5tS256} as ${status.status}${status.revokedAt ? ` since ${status.revokedAt}` : ''}`,
      clause: 'RFC 8705 §2.1, FAPI 2.0 SP §5.3.4-3',
      fix: 'obtain a new transport certificate from the directory and a new token bound to it',
    });
  }
  // A suspended or revoked software statement takes its certificates down with it.
  if (status.softwareStatus && status.softwareStatus !== 'active') {
    throw refuse('Bearer', {
      status: 401,
      error: 'invalid_token',
      description: `The directory reports software ${status.softwareId ?? '?'} of this certificate as ${status.softwareStatus}`,
      clause: 'RFC 8705 §2.1, FAPI 2.0 SP §5.3.4-3',
      fix: 'ask the directory operator to reinstate the software statement',
    });
  }
  return `client certificate CN=${certificate.identity.softwareId ?? '?'} OU=${certificate.identity.orgId ?? '?'} chains to the directory CA, valid until ${certificate.validTo.toISOString()}, directory status active; x5t#S256 ${certificate.x5tS256}`;
}

export function transportCheck(options: TransportCheckOptions): Check {
  return {
    name: 'Transport: DPoP proof or mutual-TLS client certificate',
    clause: 'RFC 9449 §4.3 and §7.1 (DPoP); RFC 8705 §3 (mTLS); FAPI 2.0 SP §5.3.4-5',
    run(ctx) {
      return ctx.credentials?.scheme === 'DPoP'
        ? checkDpopProof(ctx, options)
        : checkClientCertificate(ctx, options);
    },
  };
}
