// The software statement assertion (SSA, RFC 7591 §2.3): the directory's signed statement about a TPP's
// software. One verifier for every party that relies on it: the bank before it registers a client
// (RFC 7591 §3.2.2) and the TPP before it sends its own statement. It checks the JWS (FAPI algorithm,
// `typ`, signature by a key the directory publishes), the time claims and the issuer, and that every
// claim a party reads is there with the right type. What a party decides with the statement (the
// directory's live status, whose software it is) stays with that party.
import {
  createLocalJWKSet,
  decodeProtectedHeader,
  type JSONWebKeySet,
  type JWTPayload,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { OAuthError } from './errors.js';
import { everyProfileSigningAlgs } from './jose/algorithms.js';

/** The claims of a directory-issued software statement assertion (UK Open Banking style). */
export interface SsaClaims extends JWTPayload {
  iss: string;
  iat: number;
  exp: number;
  jti: string;
  software_id: string;
  software_client_id?: string;
  software_client_name: string;
  software_client_description?: string;
  software_version?: string;
  software_redirect_uris: string[];
  software_jwks_uri: string;
  software_roles: string[];
  software_logo_uri?: string;
  /** "Active", "Suspended" or "Revoked". */
  software_status: string;
  org_id: string;
  org_name: string;
  /** "Active", "Suspended" or "Revoked". */
  org_status: string;
}

/** Whom the statement must come from: the directory's issuer and its published keys. */
export interface SoftwareStatementTrust {
  /** The directory's `iss` (its web origin). */
  issuer: string;
  /** The directory's SSA-signing keys (`/.well-known/jwks.json`); fetched only for a well-formed JWS. */
  keys: () => Promise<JSONWebKeySet>;
  /** Where a TPP fetches a fresh statement, named in the fixes. */
  ssaSource?: string;
}

/** The algorithms the directory may sign SSAs with: a statement serves clients of either profile. */
export const SSA_SIGNING_ALGS = everyProfileSigningAlgs();

/** RFC 7519 §5.1 / RFC 8725 §3.11: the directory types its statements as plain JWTs. */
const SSA_TYP = 'JWT';

const STRING_CLAIMS = [
  'jti',
  'software_id',
  'software_client_name',
  'software_jwks_uri',
  'software_status',
  'org_id',
  'org_name',
  'org_status',
] as const;
const STRING_LIST_CLAIMS = ['software_redirect_uris', 'software_roles'] as const;
const OPTIONAL_STRING_CLAIMS = [
  'software_client_id',
  'software_client_description',
  'software_version',
  'software_logo_uri',
] as const;

function invalid(description: string, fix: string, clause = 'RFC 7591 §3.2.2'): OAuthError {
  return new OAuthError({ status: 400, error: 'invalid_software_statement', description, clause, fix });
}

/**
 * Verifies a software statement with the directory's keys and answers its claims. Throws OAuthError 400
 * `invalid_software_statement` (RFC 7591 §3.2.2) naming what is wrong and the fix.
 */
export async function verifySoftwareStatement(
  ssa: unknown,
  trust: SoftwareStatementTrust,
): Promise<SsaClaims> {
  const fresh = `fetch a fresh SSA from the directory${trust.ssaSource ? ` (${trust.ssaSource})` : ''} and send it unmodified`;
  // RFC 7591 §2.3: the statement is a signed JWT (JWS compact serialization, RFC 7515 §7.1).
  if (typeof ssa !== 'string' || ssa.split('.').length !== 3) {
    throw invalid(
      'There is no software_statement, or it is not a signed JWT',
      `send the SSA the directory issued to your software as software_statement; ${fresh}`,
      'RFC 7591 §2.3, §3.2.2',
    );
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(ssa);
  } catch {
    throw invalid('The software_statement is not a JWS', fresh, 'RFC 7591 §2.3, RFC 7515 §7.1');
  }
  // FAPI 2.0 SP §5.4.1-1 / FAPI 1.0 Adv §8.6: a FAPI algorithm; never `none` or a shared MAC key.
  if (typeof header.alg !== 'string' || !(SSA_SIGNING_ALGS as readonly string[]).includes(header.alg)) {
    throw invalid(
      `The software_statement is signed with ${String(header.alg)}; an SSA must be signed by the directory with ${SSA_SIGNING_ALGS.join(' or ')}`,
      fresh,
      'RFC 7591 §2.3, FAPI 2.0 SP §5.4.1-1',
    );
  }
  // RFC 8725 §3.11: explicit typing, so no other JWT the directory signs passes for a statement.
  if (header.typ !== SSA_TYP) {
    throw invalid(
      `The software_statement's typ header is ${header.typ === undefined ? 'missing' : JSON.stringify(header.typ)}, not ${SSA_TYP}`,
      fresh,
      'RFC 7591 §2.3, RFC 8725 §3.11',
    );
  }

  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(ssa, createLocalJWKSet(await trust.keys()), {
      issuer: trust.issuer,
      algorithms: [...SSA_SIGNING_ALGS],
      requiredClaims: ['iss', 'iat', 'exp'],
    }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) {
      throw invalid('The software_statement has expired', `${fresh}, then register again`);
    }
    if (
      err instanceof joseErrors.JWKSNoMatchingKey ||
      err instanceof joseErrors.JWSSignatureVerificationFailed
    ) {
      throw invalid(
        "The software_statement is not signed by the directory (none of the directory's keys verifies it)",
        `use an SSA issued by the sandbox directory (${trust.issuer}); a statement signed by anyone else is not trusted`,
      );
    }
    if (err instanceof joseErrors.JWTClaimValidationFailed) {
      throw invalid(
        `The software_statement's ${err.claim} claim is not acceptable: ${err.reason}`,
        `use an SSA issued by the sandbox directory (${trust.issuer})`,
      );
    }
    if (err instanceof joseErrors.JOSEError) {
      throw invalid(`The software_statement could not be verified: ${err.message}`, fresh);
    }
    throw err;
  }
  assertStatementClaims(claims);
  return claims;
}

/** RFC 7591 §2.3 with OB DCR v3.3 §4.2: every claim a party reads is present with its type. */
function assertStatementClaims(claims: JWTPayload): asserts claims is SsaClaims {
  const fix = 'use the SSA exactly as the directory issued it; every statement carries these claims';
  for (const name of STRING_CLAIMS) {
    const value = claims[name];
    if (typeof value !== 'string' || value === '') {
      throw invalid(`The software_statement has no ${name} claim`, fix, 'RFC 7591 §2.3, OB DCR v3.3 §4.2');
    }
  }
  for (const name of STRING_LIST_CLAIMS) {
    const value = claims[name];
    if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
      throw invalid(
        `The software_statement's ${name} claim is not a list of strings`,
        fix,
        'RFC 7591 §2.3, OB DCR v3.3 §4.2',
      );
    }
  }
  for (const name of OPTIONAL_STRING_CLAIMS) {
    if (claims[name] !== undefined && typeof claims[name] !== 'string') {
      throw invalid(`The software_statement's ${name} claim is not a string`, fix, 'RFC 7591 §2.3');
    }
  }
}
