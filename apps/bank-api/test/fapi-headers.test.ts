// FAPI request headers and token location (FAPI 1.0 Part 1 §6.2.1, §6.2.2; FAPI 2.0 SP §5.3.4-1/-2;
// conformance: access token in the query refused, IPv6 customer address and any Accept accepted,
// Authorization scheme case-insensitive).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountAccess, type Sandbox, startSandbox } from './support/sandbox.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

describe.each(['moneywiseDpop', 'moneywiseMtls'] as const)('FAPI headers for %s', (name) => {
  it('refuses an access token in the query string, alone or beside the header', async () => {
    const client = sb.clients[name];
    const { token } = await accountAccess(sb, client);
    const onlyQuery = await sb.call(client, 'GET', `/aisp/accounts?access_token=${token}`);
    expect(onlyQuery.status).toBe(400);
    expect(onlyQuery.body.error).toBe('invalid_request');
    expect(onlyQuery.body.error_description).toMatch(/query string .*FAPI 2.0 SP section 5.3.4-2/);
    const both = await sb.call(client, 'GET', `/aisp/accounts?access_token=${token}`, { token });
    expect(both.status).toBe(400);
  });

  it('accepts the Authorization scheme in any case', async () => {
    const client = sb.clients[name];
    const { token } = await accountAccess(sb, client);
    const scheme = client.binding === 'dpop' ? 'dPoP' : 'bEARER';
    expect((await sb.call(client, 'GET', '/aisp/accounts', { token, scheme })).status).toBe(200);
  });

  it.each([
    ['an IPv6 customer address', { 'x-fapi-customer-ip-address': '2001:db8::1' }],
    ['an IPv4 customer address', { 'x-fapi-customer-ip-address': '198.51.100.7' }],
    ['an auth date', { 'x-fapi-auth-date': 'Tue, 11 Sep 2018 10:15:30 GMT' }],
    ['Accept with charset', { accept: 'application/json; charset=utf-8' }],
    ['a permissive Accept', { accept: 'application/json, application/*+json, */*' }],
  ])('accepts %s', async (_what, headers) => {
    const client = sb.clients[name];
    const { token } = await accountAccess(sb, client);
    const response = await sb.call(client, 'GET', '/aisp/accounts', { token, headers });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it.each([
    [
      'a customer address that is not an IP',
      { 'x-fapi-customer-ip-address': 'localhost' },
      /not an IPv4 or IPv6 address/,
    ],
    ['an auth date that is not an HTTP-date', { 'x-fapi-auth-date': '2018-09-11' }, /not an HTTP-date/],
    ['an interaction id that is not a UUID', { 'x-fapi-interaction-id': 'abc' }, /is not a UUID/],
  ])('refuses %s, echoing a minted interaction id', async (_what, headers, message) => {
    const client = sb.clients[name];
    const { token } = await accountAccess(sb, client);
    const response = await sb.call(client, 'GET', '/aisp/accounts', { token, headers });
    expect(response.status).toBe(400);
    expect(response.body.Errors[0]).toMatchObject({ ErrorCode: 'UK.OBIE.Header.Invalid' });
    expect(response.body.error_description).toMatch(message);
    expect(response.headers.get('x-fapi-interaction-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
