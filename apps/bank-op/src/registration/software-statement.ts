// The software statement assertion (SSA) in a registration request (RFC 7591 §2.3): the directory's
// signed statement about the TPP's software. bank-op registers a client only when the SSA verifies
// (fapi-core's verifier, the one every party uses: algorithm, typ, directory signature, issuer, expiry,
// every claim), and the directory still lists the organisation and software as active (the SSA may
// predate a suspension).
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { verifySoftwareStatement as verifySignedStatement } from '@fapi-sandbox/fapi-core/software-statement';
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

function unapproved(description: string, fix: string): OAuthError {
  return new OAuthError({
    status: 400,
    error: 'unapproved_software_statement',
    description,
    clause: 'RFC 7591 §3.2.2, OB DCR v3.3 §4.3',
    fix,
  });
}

export async function verifySoftwareStatement(
  ssa: unknown,
  deps: { directory: DirectoryReads; directoryIssuer: string },
): Promise<VerifiedSoftwareStatement> {
  // RFC 7591 §3.2.2: the same verifier the TPP runs on its own statement (fapi-core).
  const claims = await verifySignedStatement(ssa, {
    issuer: deps.directoryIssuer,
    keys: () => askDirectory(() => deps.directory.jwks()),
  });
  const statement: VerifiedSoftwareStatement = {
    softwareId: claims.software_id,
    orgId: claims.org_id,
    orgName: claims.org_name,
    clientName: claims.software_client_name,
    description: claims.software_client_description,
    redirectUris: claims.software_redirect_uris,
    jwksUri: claims.software_jwks_uri,
    logoUri: claims.software_logo_uri,
    roles: claims.software_roles,
    expiresAt: new Date(claims.exp * 1000),
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
