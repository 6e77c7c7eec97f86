// Check: the client's HTTP message signature (FAPI 2.0 HTTP Signatures §5.3.1.2, RFC 9421, RFC 9530), for
// non-repudiation of resource requests (FAPI 2.0 Message Signing NR5): a payment the client signed is one
// it cannot later deny sending. A signed request is always verified, on every route; an unsigned one is
// refused only on the payment calls (consents and submissions) and only when the bank requires signatures.
// Why a bank-wide requirement rather than a per-client flag: the spec leaves the choice to the ecosystem
// (UK OB made its payment-request signatures an ASPSP-wide rule), and a requirement the client could opt
// out of at registration would let it opt out of non-repudiation too. The key is the client's: the
// software statement's JWKS the directory publishes, for the software the verified token names.
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { CLAUSES, type MessageSignature, verifyRequest } from '@fapi-sandbox/fapi-core/http-signatures';
import type { JSONWebKeySet, JWK } from 'jose';
import { refuse } from './challenge.js';
import type { Check, PipelineContext } from './context.js';

/** The directory's JWKS of a software statement (its jwks_uri). */
export type SoftwareJwksLookup = (orgId: string, softwareId: string) => Promise<JSONWebKeySet>;

export interface MessageSignatureCheckOptions {
  softwareJwks: SoftwareJwksLookup;
  /** Refuse unsigned payment calls (FAPI_BANK_API_REQUIRE_SIGNATURES). Signed calls are verified regardless. */
  requireSignatures?: boolean;
  now?: () => number;
}

/** The calls whose requests must be signed when signatures are required: payment consents and submissions. */
export function mustBeSigned(ctx: Pick<PipelineContext, 'method' | 'requirement'>): boolean {
  return ctx.method === 'POST' && ctx.requirement.scope === 'payments';
}

/** Whether the request carries a signature at all (either header). */
export function isSigned(headers: PipelineContext['headers']): boolean {
  return headers['signature-input'] !== undefined || headers.signature !== undefined;
}

function summary(signature: MessageSignature, software: string): string {
  return `signed by key ${signature.keyid} (${signature.alg}) of software ${software}, created ${new Date(signature.created * 1000).toISOString()}; covers ${signature.covered.join(' ')}`;
}

export function messageSignatureCheck(options: MessageSignatureCheckOptions): Check {
  return {
    name: 'Message signature: the client signed the request (RFC 9421)',
    clause: CLAUSES.requestVerifier,
    async run(ctx) {
      const { scheme } = ctx.credentials!;
      const reject = (violation: { description: string; clause: string; fix: string }) =>
        refuse(scheme, { status: 401, error: 'invalid_request', ...violation });
      if (!isSigned(ctx.headers)) {
        if (options.requireSignatures && mustBeSigned(ctx)) {
          throw reject({
            description:
              'This bank requires payment requests to carry an HTTP message signature, and this one has none',
            clause: `${CLAUSES.requestVerifier}-3, FAPI 2.0 Message Signing NR5`,
            fix: 'sign the request (RFC 9421) with a key of your software statement JWKS: tag="fapi-2-request", created, keyid, covering @method, @target-uri, authorization, dpop and content-digest',
          });
        }
        return options.requireSignatures
          ? 'not signed; only payment calls must be'
          : 'not signed; this bank verifies signatures when sent and does not require them';
      }
      const { software_id: softwareId, org_id: orgId } = ctx.token!;
      // The participant check has already refused a token that names no software.
      const jwks = await options.softwareJwks(orgId!, softwareId!).catch((err: unknown) => {
        // Fail closed: a signature the bank cannot check is never accepted unchecked.
        throw new OAuthError({
          status: 503,
          error: 'temporarily_unavailable',
          description: `The directory could not be asked for the keys of software ${softwareId} (${err instanceof Error ? err.message : String(err)})`,
          clause: `${CLAUSES.requestVerifier}-1`,
          fix: 'start the directory (pnpm dev) and retry',
        });
      });
      const signature = await verifyRequest(
        { method: ctx.method, url: ctx.url, headers: ctx.headers, ...(ctx.body ? { body: ctx.body } : {}) },
        {
          keys: async (kid) => (jwks.keys as JWK[]).find((key) => key.kid === kid && key.use !== 'enc'),
          reject,
          ...(options.now ? { now: options.now() } : {}),
        },
      );
      ctx.messageSignature = signature;
      return summary(signature, softwareId!);
    },
  };
}
