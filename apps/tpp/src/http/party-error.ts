// An error another party answered with (or a failure to reach it), carried to the learner as it was
// said: which party, at which step, its HTTP status, its `error` and `error_description`.
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import type { Lane } from '../shared/timeline.js';

export interface PartyErrorInit {
  party: Lane;
  step: string;
  /** The status the party answered with; 0 when it could not be reached. */
  upstreamStatus: number;
  error: string;
  description: string;
  clause?: string;
  fix?: string;
}

export class PartyError extends OAuthError {
  readonly party: Lane;
  readonly step: string;
  readonly upstreamStatus: number;

  constructor(init: PartyErrorInit) {
    // 502: the TPP's own request was fine; the party it depends on refused or failed.
    super({
      status: 502,
      error: init.error,
      description: init.description,
      clause: init.clause,
      fix: init.fix,
    });
    this.name = 'PartyError';
    this.party = init.party;
    this.step = init.step;
    this.upstreamStatus = init.upstreamStatus;
  }

  static fromResponse(
    party: Lane,
    step: string,
    response: { status: number; body: unknown; text: string },
  ): PartyError {
    const body = response.body as {
      error?: unknown;
      error_description?: unknown;
      Errors?: unknown;
      Message?: unknown;
    };
    // UK OB APIs answer OBErrorResponse1 ({ Code, Message, Errors: [{ ErrorCode, Message }] }).
    const obError = Array.isArray(body?.Errors)
      ? (body.Errors[0] as { ErrorCode?: string; Message?: string })
      : undefined;
    const error =
      typeof body?.error === 'string' ? body.error : (obError?.ErrorCode ?? `http_${response.status}`);
    const said =
      typeof body?.error_description === 'string'
        ? body.error_description
        : (obError?.Message ??
          (typeof body?.Message === 'string' ? body.Message : response.text.slice(0, 300)));
    return new PartyError({
      party,
      step,
      upstreamStatus: response.status,
      error,
      description: `${step}: the ${party} answered ${response.status} ${error}${said ? ` — ${said}` : ''}`,
    });
  }

  override toJSON(): { error: string; error_description: string; party: Lane; step: string; status: number } {
    return { ...super.toJSON(), party: this.party, step: this.step, status: this.upstreamStatus };
  }
}

/** The PartyError for a request that got no answer at all. */
export function unreachable(
  party: Lane,
  request: { step: string; method: string; url: string },
  err: unknown,
) {
  return new PartyError({
    party,
    step: request.step,
    upstreamStatus: 0,
    error: 'temporarily_unavailable',
    description: `${request.step}: ${request.method} ${request.url} failed before any answer (${networkReason(err)})`,
    fix: 'check that the party is running (pnpm dev starts every party) and that its certificate chains to the sandbox CA',
  });
}

/** Why a request got no answer: the network error's code and message (ECONNREFUSED, a TLS failure). */
export function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  return err instanceof Error ? err.message : String(err);
}
