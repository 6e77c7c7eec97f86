// The software statement assertion (SSA) in a registration request (RFC 7591 §2.3): the directory's
// signed statement about the TPP's software. bank-op registers a client only when the SSA verifies
// against the directory's JWKS, is unexpired, was issued by the directory, and the directory still
// lists the organisation and software as active (the SSA may predate a suspension).
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { createLocalJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import { askDirectory, type DirectoryReads } from '../participants/directory.js';

export interface VerifiedSoftwareStatement {
  softwareId: string;
  orgId: string;
  orgName: string;
  clientName: string;
  description: string | undefined;
  redirectUris: string[];
  jwksUri: string;
  logoUri: string | undefined;
  roles: string[];
  expiresAt: Date;
}

/** The algorithms a directory may sign SSAs with (FAPI 2.0 SP §5.4.1-1; the sandbox directory uses PS256). */
const SSA_ALGORITHMS = ['PS256', 'ES256'];

function invalid(description: string, fix: string, clause = 'RFC 7591 §2.3, §3.2.2'): OAuthError {
  return new OAuthError({ status: 400, error: 'invalid_software_statement', description, clause, fix });
}

function unapproved(description: string, fix: string): OAuthError {
  return new OAuthError({
    status: 400,
    error: 'unapproved_software_statement',
    description,
    clause: 'RFC 7591 §3.2.2, OB DCR v3.3 §4.3',
    fix,
  });
}

function stringClaim(claims: Record<string, unknown>, name: string): string {
  const value = claims[name];
  if (typeof value !== 'string' || value === '') {
    throw invalid(`The software statement has no ${name} claim`, 'fetch a fresh SSA from the directory');
  }
  return value;
}

function stringArrayClaim(claims: Record<string, unknown>, name: string): string[] {
  const value = claims[name];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw invalid(
      `The software statement's ${name} claim is not a list of strings`,
      'fetch a fresh SSA from the directory',
    );
  }
  return value as string[];
}

export async function verifySoftwareStatement(
  ssa: unknown,
  deps: { directory: DirectoryReads; directoryIssuer: string },
): Promise<VerifiedSoftwareStatement> {
  if (typeof ssa !== 'string' || ssa.split('.').length !== 3) {
    throw invalid(
      'The registration request has no software_statement, or it is not a signed JWT',
      'send the SSA the directory issued to your software (GET <directory mTLS>/organisations/{orgId}/software-statements/{softwareId}/ssa) as software_statement',
    );
  }
  let alg: unknown;
  try {
    ({ alg } = decodeProtectedHeader(ssa));
  } catch {
    throw invalid('The software_statement is not a JWS', 'send the SSA exactly as the directory returned it');
  }
  if (typeof alg !== 'string' || !SSA_ALGORITHMS.includes(alg)) {
    throw invalid(
      `The software_statement is signed with ${String(alg)}; an SSA must be signed by the directory with ${SSA_ALGORITHMS.join(' or ')}`,
      'send the SSA exactly as the directory returned it',
      'RFC 7591 §2.3, FAPI 2.0 SP §5.4.1-1',
    );
  }

  let claims: Record<string, unknown>;
  try {
    const keys = createLocalJWKSet(await askDirectory(() => deps.directory.jwks()));
    ({ payload: claims } = await jwtVerify(ssa, keys, {
      issuer: deps.directoryIssuer,
      algorithms: SSA_ALGORITHMS,
      requiredClaims: ['iat', 'exp', 'software_id', 'org_id'],
    }));
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) {
      throw invalid(
        'The software_statement has expired',
        'fetch a fresh SSA from the directory and register again',
      );
    }
    if (
      err instanceof joseErrors.JWKSNoMatchingKey ||
      err instanceof joseErrors.JWSSignatureVerificationFailed
    ) {
      throw invalid(
        'The software_statement is not signed by the directory (no directory key verifies it)',
        `use an SSA issued by the sandbox directory (${deps.directoryIssuer}); a statement signed by anyone else is not trusted`,
      );
    }
    if (err instanceof joseErrors.JWTClaimValidationFailed) {
      throw invalid(
        `The software_statement's ${err.claim} claim is not acceptable: ${err.reason}`,
        `use an SSA issued by the sandbox directory (${deps.directoryIssuer})`,
      );
    }
    if (err instanceof joseErrors.JOSEError) {
      throw invalid(
        `The software_statement could not be verified: ${err.message}`,
        'send the SSA exactly as the directory returned it',
      );
    }
    throw err;
  }

  const statement: VerifiedSoftwareStatement = {
    softwareId: stringClaim(claims, 'software_id'),
    orgId: stringClaim(claims, 'org_id'),
    orgName: stringClaim(claims, 'org_name'),
    clientName: stringClaim(claims, 'software_client_name'),
    description:
      typeof claims.software_client_description === 'string' ? claims.software_client_description : undefined,
    redirectUris: stringArrayClaim(claims, 'software_redirect_uris'),
    jwksUri: stringClaim(claims, 'software_jwks_uri'),
    logoUri: typeof claims.software_logo_uri === 'string' ? claims.software_logo_uri : undefined,
    roles: stringArrayClaim(claims, 'software_roles'),
    expiresAt: new Date(Number(claims.exp) * 1000),
  };

  // OB DCR v3.3 §4.3: the statement itself says whether the software was active when it was issued…
  for (const claim of ['org_status', 'software_status'] as const) {
    if (claims[claim] !== 'Active') {
      throw unapproved(
        `The software_statement says ${claim} is ${String(claims[claim])}`,
        'the directory must list the organisation and software as Active before the software can register',
      );
    }
  }
  // …and the directory is asked again now: a suspension after the SSA was issued must count.
  const live = await askDirectory(() =>
    deps.directory.softwareStatement(statement.orgId, statement.softwareId),
  );
  if (live.status !== 'active') {
    throw unapproved(
      `The directory lists software ${statement.softwareId} as ${live.status}`,
      'ask the directory to reactivate the software, then fetch a fresh SSA',
    );
  }
  return statement;
}
