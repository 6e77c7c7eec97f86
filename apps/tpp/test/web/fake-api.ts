// A stand-in for the TPP's JSON API in component tests: answers by method and path, records every call.
import { vi } from 'vitest';

export interface FakeAnswer {
  status?: number;
  body: unknown;
}

export interface FakeApi {
  calls: { method: string; path: string; body?: unknown }[];
  answer(method: string, path: string, answer: FakeAnswer | ((body: unknown) => FakeAnswer)): void;
}

export function fakeApi(): FakeApi {
  const answers = new Map<string, FakeAnswer | ((body: unknown) => FakeAnswer)>();
  const calls: FakeApi['calls'] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: string, init: { method?: string; body?: string } = {}) => {
      const method = init.method ?? 'GET';
      const path = input.replace(/^\/api/, '');
      const body = init.body ? JSON.parse(init.body) : undefined;
      calls.push({ method, path, body });
      const found = answers.get(`${method} ${path}`);
      const answer = typeof found === 'function' ? found(body) : found;
      const status = answer?.status ?? (answer ? 200 : 404);
      const json = answer
        ? answer.body
        : { error: 'not_found', error_description: `no fake for ${method} ${path}` };
      return new Response(JSON.stringify(json), { status, headers: { 'content-type': 'application/json' } });
    }),
  );
  return {
    calls,
    answer(method, path, answer) {
      answers.set(`${method} ${path}`, answer);
    },
  };
}
