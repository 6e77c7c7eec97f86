// Credentials never reach a log line (RFC 6750 §5.3), wherever a caller put them in the line's object:
// at its top, two levels down, in an array or in an error's own members; the caller's objects unchanged.
import { describe, expect, it } from 'vitest';
import { createLogger, redactLogObject } from '../src/log.js';

function linesOf(write: (log: ReturnType<typeof createLogger>) => void): Record<string, unknown>[] {
  const lines: string[] = [];
  write(
    createLogger('bank-op', { level: 'info', destination: { write: (line: string) => lines.push(line) } }),
  );
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('log lines', () => {
  it('censor a credential at the top, one and two levels down, in arrays and in an error', () => {
    const err = Object.assign(new Error('refused'), { headers: { authorization: 'Bearer A' } });
    const [line] = linesOf((log) =>
      log.error(
        {
          client_assertion: 'eyJ.a.b',
          headers: { dpop: 'eyJ.c.d', accept: 'application/json' },
          call: { body: { refresh_token: 'R' } },
          calls: [{ access_token: 'T' }],
          'set-cookie': 'session=S',
          err,
        },
        'refused',
      ),
    );
    expect(line).toMatchObject({
      client_assertion: '[redacted]',
      headers: { dpop: '[redacted]', accept: 'application/json' },
      call: { body: { refresh_token: '[redacted]' } },
      calls: [{ access_token: '[redacted]' }],
      'set-cookie': '[redacted]',
      // Still written as an error: type, message and stack, with its own members censored.
      err: { type: 'Error', message: 'refused', headers: { authorization: '[redacted]' } },
    });
    expect(String((line!.err as { stack: string }).stack)).toMatch(/^Error: refused/);
    expect(JSON.stringify(line)).not.toMatch(/Bearer A|eyJ\.|session=S|"R"|"T"/);
  });

  it("censor a child logger's bindings", () => {
    const [line] = linesOf((log) => log.child({ access_token: 'T' }).info('bound'));
    expect(line).toMatchObject({ access_token: '[redacted]', msg: 'bound' });
  });

  it("never change the caller's objects, and leave a line without credentials as it is", () => {
    const headers = { authorization: 'Bearer A', accept: 'text/html' };
    const err = Object.assign(new Error('x'), { token: 'T' });
    const censored = redactLogObject({ headers, err }) as Record<string, unknown>;
    expect(censored.headers).toEqual({ authorization: '[redacted]', accept: 'text/html' });
    expect(headers.authorization).toBe('Bearer A');
    expect(err.token).toBe('T');
    expect(censored.err).toBeInstanceOf(Error);
    const plain = { method: 'POST', path: '/token', status: 200, nested: { a: [1, 2] } };
    expect(redactLogObject(plain)).toBe(plain);
  });
});
