// Check: the trust framework still vouches for the client. The directory (like the UK OB Directory) can
// suspend or revoke a TPP's software statement or its whole organisation at any time; from then on the
// participant's tokens are withdrawn too, although they still verify and have not expired. FAPI 2.0 SP
// §5.3.4-3 asks the resource server to verify an access token's revocation status, and in an open-banking
// ecosystem the directory's word on the participant is part of that status. So at each call the API asks
// the directory for the effective status of the software the token names (`software_id`, `org_id`), with
// answers reused only as long as the directory's Cache-Control max-age allows (one second). An mTLS
// client's transport check already asked the directory about its certificate, and that answer carries the
// same software's status: it is reused rather than asked again. A DPoP client shows no certificate, so
// this check is what stops it.
import type { DirectoryStatus, SoftwareStatement } from '@fapi-sandbox/fapi-core/directory-client';
import { DirectoryError } from '@fapi-sandbox/fapi-core/directory-client';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { refuse } from './challenge.js';
import type { AuthScheme, Check, PipelineContext } from './context.js';

/** The directory's record of a software statement (GET /organisations/{orgId}/software-statements/{softwareId}). */
export type SoftwareStatementLookup = (orgId: string, softwareId: string) => Promise<SoftwareStatement>;

export interface ParticipantCheckOptions {
  /** Reused for the directory's max-age at most (the composition root, index.ts, sets this up). */
  softwareStatement: SoftwareStatementLookup;
}

const CLAUSE = 'FAPI 2.0 SP §5.3.4-3 (revocation status), RFC 6750 §3.1, OB Directory participant status';

interface Standing {
  status: DirectoryStatus;
  /** Known when the software statement itself was read: says whether the organisation is the cause. */
  orgStatus?: DirectoryStatus;
  /** Where the answer came from, for the trace. */
  source: string;
}

function withdrawn(scheme: AuthScheme, description: string, status: DirectoryStatus): OAuthError {
  return refuse(scheme, {
    status: 401,
    error: 'invalid_token',
    description,
    clause: CLAUSE,
    fix:
      status === 'revoked'
        ? 'revocation is final: the organisation must register new software with the directory and onboard again'
        : 'the organisation must ask the directory to reactivate it; the same token works again once it is active',
  });
}

async function readFromDirectory(
  options: ParticipantCheckOptions,
  scheme: AuthScheme,
  orgId: string,
  softwareId: string,
): Promise<Standing> {
  try {
    const statement = await options.softwareStatement(orgId, softwareId);
    return {
      status: statement.status,
      orgStatus: statement.orgStatus,
      source: `the directory's software statement of ${statement.clientName}`,
    };
  } catch (err) {
    if (err instanceof DirectoryError && err.status === 404) {
      throw refuse(scheme, {
        status: 401,
        error: 'invalid_token',
        description: `The directory does not know software ${softwareId} of organisation ${orgId}, which the token names`,
        clause: CLAUSE,
        fix: 'obtain a token as a participant the directory has registered',
      });
    }
    // Fail closed: a directory that cannot be asked never lets a token through unchecked.
    throw new OAuthError({
      status: 503,
      error: 'temporarily_unavailable',
      description: `The directory could not be asked whether software ${softwareId} of organisation ${orgId} is still active (${err instanceof Error ? err.message : String(err)})`,
      clause: 'FAPI 2.0 SP §5.3.4-3, OB Directory participant status',
      fix: 'start the directory (pnpm dev) and retry',
    });
  }
}

/** The transport check's answer for the client certificate, when it is about the same software. */
function fromCertificate(ctx: PipelineContext, orgId: string, softwareId: string): Standing | undefined {
  const answer = ctx.certificateStatus;
  if (!answer?.softwareStatus || answer.orgId !== orgId || answer.softwareId !== softwareId) return undefined;
  return {
    status: answer.softwareStatus,
    source: "the directory's answer for the client certificate, read by the transport check",
  };
}

export function participantCheck(options: ParticipantCheckOptions): Check {
  return {
    name: 'Participant: the software is active in the directory',
    clause: CLAUSE,
    async run(ctx) {
      const { scheme } = ctx.credentials!;
      const { software_id: softwareId, org_id: orgId } = ctx.token!;
      if (!softwareId || !orgId) {
        throw refuse(scheme, {
          status: 401,
          error: 'invalid_token',
          description:
            'The token does not name its directory participant (no software_id or org_id claim), so the bank cannot ask the directory whether it still vouches for the client',
          clause: CLAUSE,
          fix: "obtain a new access token from bank-op (refresh it or run the grant again): bank-op's tokens name software_id and org_id",
        });
      }
      const standing =
        fromCertificate(ctx, orgId, softwareId) ??
        (await readFromDirectory(options, scheme, orgId, softwareId));
      if (standing.orgStatus && standing.orgStatus !== 'active') {
        throw withdrawn(
          scheme,
          `The directory lists organisation ${orgId} as ${standing.orgStatus}, and with it its software ${softwareId}: the ecosystem has withdrawn this participant, so the bank no longer honours its tokens`,
          standing.orgStatus,
        );
      }
      if (standing.status !== 'active') {
        throw withdrawn(
          scheme,
          `The directory lists software ${softwareId} of organisation ${orgId} as ${standing.status}: the ecosystem has withdrawn this participant, so the bank no longer honours its tokens`,
          standing.status,
        );
      }
      return `software ${softwareId} of organisation ${orgId} is active (${standing.source})`;
    },
  };
}
