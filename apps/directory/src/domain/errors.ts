// The directory's refusals, in the OAuth error shape of fapi-core (status, code, clause, fix).
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';

export function notFound(description: string, fix: string): OAuthError {
  return new OAuthError({ status: 404, error: 'not_found', description, fix });
}

export function conflict(description: string, fix: string, clause?: string): OAuthError {
  return new OAuthError({ status: 409, error: 'invalid_request', description, clause, fix });
}

export function invalidRequest(description: string, fix: string, clause?: string): OAuthError {
  return new OAuthError({ status: 400, error: 'invalid_request', description, clause, fix });
}

/** An id from the request, shortened before it is echoed in an error description. */
export function shown(id: string, max = 64): string {
  return id.length > max ? `${id.slice(0, max)}…` : id;
}
