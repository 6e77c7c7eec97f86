import { describe, expect, it } from 'vitest';
import { OAuthError } from '../src/errors.js';
import { customerPresentHeaders, fapiHeadersMiddleware, readFapiHeaders } from '../src/fapi-headers.js';

const UUID = '93bac548-d2de-4546-b106-880a5018460d';

describe('readFapiHeaders', () => {
  it('echoes a UUID interaction id and mints one when absent', () => {
    expect(readFapiHeaders({ 'x-fapi-interaction-id': UUID })).toEqual({
      interactionId: UUID,
      minted: false,
    });
    const minted = readFapiHeaders({});
    expect(minted.minted).toBe(true);
    expect(minted.interactionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('refuses an interaction id that is not a UUID, naming the clause', () => {
    expect(() => readFapiHeaders({ 'x-fapi-interaction-id': 'not-a-uuid' })).toThrowError(
      /FAPI 1.0 Part 1 §6.2.1-11/,
    );
  });

  it('accepts IPv4 and IPv6 customer addresses and refuses anything else', () => {
    expect(readFapiHeaders({ 'x-fapi-customer-ip-address': '198.51.100.7' }).customerIpAddress).toBe(
      '198.51.100.7',
    );
    expect(readFapiHeaders({ 'x-fapi-customer-ip-address': '2001:db8::1' }).customerIpAddress).toBe(
      '2001:db8::1',
    );
    expect(() => readFapiHeaders({ 'x-fapi-customer-ip-address': '999.1.1.1' })).toThrow(OAuthError);
  });

  it('accepts an HTTP-date auth date and refuses other formats', () => {
    const parsed = readFapiHeaders({ 'x-fapi-auth-date': 'Tue, 11 Sep 2018 10:15:30 GMT' });
    expect(parsed.authDate?.toISOString()).toBe('2018-09-11T10:15:30.000Z');
    expect(() => readFapiHeaders({ 'x-fapi-auth-date': '2018-09-11T10:15:30Z' })).toThrowError(/HTTP-date/);
  });

  it('refuses a repeated header', () => {
    expect(() => readFapiHeaders({ 'x-fapi-interaction-id': [UUID, UUID] })).toThrowError(/more than once/);
  });
});

describe('fapiHeadersMiddleware', () => {
  function run(headers: Record<string, string>) {
    const set: Record<string, string> = {};
    const res = { setHeader: (n: string, v: string) => (set[n] = v), locals: {} as Record<string, unknown> };
    let error: unknown;
    fapiHeadersMiddleware()({ headers }, res, (e) => {
      error = e;
    });
    return { set, locals: res.locals, error };
  }

  it('echoes the interaction id before anything can fail', () => {
    const { set, error } = run({ 'x-fapi-interaction-id': UUID, 'x-fapi-customer-ip-address': 'nope' });
    expect(set['x-fapi-interaction-id']).toBe(UUID);
    expect(error).toBeInstanceOf(OAuthError);
  });

  it('leaves the parsed headers in res.locals.fapi', () => {
    const { locals, error } = run({ 'x-fapi-interaction-id': UUID });
    expect(error).toBeUndefined();
    expect(locals.fapi).toMatchObject({ interactionId: UUID });
  });
});

describe('customerPresentHeaders', () => {
  it('produces headers the reader accepts', () => {
    const headers = customerPresentHeaders({ authDate: new Date(0), customerIpAddress: '2001:db8::1' });
    const parsed = readFapiHeaders(headers);
    expect(parsed.authDate?.getTime()).toBe(0);
    expect(parsed.customerIpAddress).toBe('2001:db8::1');
  });
});
