// The React app's only way to the back end: same-origin JSON requests with the session cookie. Every
// non-2xx answer becomes an ApiRequestError carrying the party's error and description, so a page can
// always say what went wrong.
import type { ApiError } from '../shared/api.js';

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError,
  ) {
    super(body.error_description || body.error);
    this.name = 'ApiRequestError';
  }
}

export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiRequestError) return err.body;
  return {
    error: 'network_error',
    error_description: `Moneywise's server could not be reached (${err instanceof Error ? err.message : String(err)}). Check that pnpm dev is running.`,
  };
}

export async function apiRequest<T>(
  path: string,
  init: { method?: string; json?: unknown } = {},
): Promise<T> {
  const response = await fetch(`/api${path}`, {
    method: init.method ?? (init.json === undefined ? 'GET' : 'POST'),
    credentials: 'same-origin',
    headers: {
      accept: 'application/json',
      ...(init.json === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = body as Partial<ApiError> | undefined;
    throw new ApiRequestError(response.status, {
      ...error,
      error: error?.error ?? `http_${response.status}`,
      error_description:
        error?.error_description ?? `The server answered ${response.status} ${response.statusText}.`,
    });
  }
  return body as T;
}
