// A sandbox hosted for a room: FAPI_BASE_DOMAIN names the parties, FAPI_HOST_ADDRESS is where the
// sandbox's own resolver sends those names. The default (`*.localhost` on loopback) stays as it was.

import type { LookupAddress } from 'node:dns';
import dns from 'node:dns';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { environmentFor, loadConfig, sandboxHostnames } from '../src/config.js';
import { sandboxAddressOf, sandboxLookupFor } from '../src/resolver.js';

const hosted = (extra: NodeJS.ProcessEnv = {}) =>
  loadConfig({ ...process.env, FAPI_BASE_DOMAIN: 'sandbox.example.org', ...extra });

describe('FAPI_BASE_DOMAIN', () => {
  it('leaves every name under .localhost when it is not set', () => {
    const config = loadConfig({ ...process.env, FAPI_BASE_DOMAIN: '' });
    expect(config.baseDomain).toBe('localhost');
    expect(sandboxHostnames(config)).toEqual([
      'directory.localhost',
      'mtls.directory.localhost',
      'bank.localhost',
      'mtls.bank.localhost',
      'api.bank.localhost',
      'tpp.localhost',
    ]);
    expect(config.tpp.web.address).toBe('127.0.0.1');
    expect(config.participants.second.redirectUris[0]).toBe('https://budgetly.localhost/callback');
  });

  it('names every listener, the issuer and the bank API under the base domain', () => {
    const config = hosted({ FAPI_BANK_OP_PORT: '443' });
    expect(sandboxHostnames(config)).toEqual([
      'directory.sandbox.example.org',
      'mtls.directory.sandbox.example.org',
      'bank.sandbox.example.org',
      'mtls.bank.sandbox.example.org',
      'api.bank.sandbox.example.org',
      'tpp.sandbox.example.org',
    ]);
    expect(config.bankOp.issuer).toBe('https://bank.sandbox.example.org');
    expect(config.bankApi.baseUrl).toBe('https://api.bank.sandbox.example.org:9543/open-banking/v3.1');
  });

  it('gives the seeded software statements redirect URIs under the base domain', () => {
    const { participants } = hosted({ FAPI_TPP_PORT: '7443' });
    expect(participants.demo.redirectUris).toEqual([
      'https://tpp.sandbox.example.org:7443/callback',
      'https://tpp.sandbox.example.org:7443/callback?dummy1=lorem&dummy2=ipsum',
    ]);
    expect(participants.demo.logoUri).toBe('https://tpp.sandbox.example.org:7443/logo.svg');
    expect(participants.second.redirectUris).toEqual([
      'https://budgetly.sandbox.example.org/callback',
      'https://budgetly.sandbox.example.org/callback?dummy1=lorem&dummy2=ipsum',
    ]);
  });

  it('accepts a trailing dot and capitals, as DNS does', () => {
    expect(loadConfig({ ...process.env, FAPI_BASE_DOMAIN: 'Sandbox.TEST.' }).tpp.web.host).toBe(
      'tpp.sandbox.test',
    );
  });

  it.each([
    ['a URL', 'https://sandbox.example.org'],
    ['a port', 'sandbox.example.org:443'],
    ['an address', '10.0.0.5'],
    ['a label ending in a hyphen', 'sandbox-.example.org'],
    ['an underscore', 'my_sandbox.test'],
  ])('refuses %s, naming the setting', (_what, value) => {
    expect(() => loadConfig({ ...process.env, FAPI_BASE_DOMAIN: value })).toThrow(
      /^FAPI_BASE_DOMAIN=.* is not a DNS domain name/,
    );
  });

  it('binds the listeners to the host address, or to FAPI_LISTEN_ADDRESS when it is given', () => {
    expect(hosted({ FAPI_HOST_ADDRESS: '192.0.2.10' }).bankOp.mtls.address).toBe('192.0.2.10');
    const behindNat = hosted({ FAPI_HOST_ADDRESS: '192.0.2.10', FAPI_LISTEN_ADDRESS: '0.0.0.0' });
    expect(behindNat.hostAddress).toBe('192.0.2.10');
    expect(behindNat.directory.web.address).toBe('0.0.0.0');
    expect(() => hosted({ FAPI_HOST_ADDRESS: 'sandbox.example.org' })).toThrow(
      'FAPI_HOST_ADDRESS=sandbox.example.org is not an IPv4 or IPv6 address',
    );
  });

  it('passes the domain and the addresses on to the parties started as child processes', () => {
    const config = hosted({ FAPI_HOST_ADDRESS: '192.0.2.10', FAPI_LISTEN_ADDRESS: '0.0.0.0' });
    const child = loadConfig({ ...environmentFor(config) });
    expect(child.bankOp.issuer).toBe(config.bankOp.issuer);
    expect(child.hostAddress).toBe('192.0.2.10');
    expect(child.tpp.web.address).toBe('0.0.0.0');
    expect(child.participants.second.redirectUris).toEqual(config.participants.second.redirectUris);
  });
});

/** The address(es) a lookup answers for `hostname`. */
function lookUp(
  lookup: ReturnType<typeof sandboxLookupFor>,
  hostname: string,
  all = false,
): Promise<{ address: string; family: number } | LookupAddress[]> {
  return new Promise((resolve, reject) => {
    lookup(hostname, { all }, (error, address, family) => {
      if (error) reject(error);
      else
        resolve(
          all ? (address as unknown as LookupAddress[]) : { address: address as string, family: family! },
        );
    });
  });
}

describe("the sandbox's own resolver", () => {
  afterEach(() => vi.restoreAllMocks());

  it('sends a name under the base domain to the configured host address, without asking DNS', async () => {
    const system = vi.spyOn(dns, 'lookup');
    const lookup = sandboxLookupFor(hosted({ FAPI_HOST_ADDRESS: '192.0.2.10' }));
    await expect(lookUp(lookup, 'mtls.bank.sandbox.example.org')).resolves.toEqual({
      address: '192.0.2.10',
      family: 4,
    });
    await expect(lookUp(lookup, 'API.Bank.Sandbox.Example.Org.', true)).resolves.toEqual([
      { address: '192.0.2.10', family: 4 },
    ]);
    expect(system).not.toHaveBeenCalled();
  });

  it('answers loopback for a base domain name by default, and an IPv6 host address as IPv6', async () => {
    await expect(lookUp(sandboxLookupFor(hosted()), 'tpp.sandbox.example.org')).resolves.toEqual({
      address: '127.0.0.1',
      family: 4,
    });
    expect(sandboxAddressOf('bank.sandbox.example.org', hosted({ FAPI_HOST_ADDRESS: '::1' }))).toBe('::1');
  });

  it('leaves every other name to the system resolver', async () => {
    const system = vi
      .spyOn(dns, 'lookup')
      .mockImplementation(((
        _hostname: string,
        _options: unknown,
        callback: (err: null, address: string, family: number) => void,
      ) => callback(null, '203.0.113.7', 4)) as unknown as typeof dns.lookup);
    const lookup = sandboxLookupFor(hosted());
    await expect(lookUp(lookup, 'example.org')).resolves.toEqual({ address: '203.0.113.7', family: 4 });
    // A look-alike that merely ends with the base domain's text is not under it.
    await expect(lookUp(lookup, 'evilsandbox.example.org')).resolves.toEqual({
      address: '203.0.113.7',
      family: 4,
    });
    expect(system.mock.calls.map(([hostname]) => hostname)).toEqual([
      'example.org',
      'evilsandbox.example.org',
    ]);
  });

  it('keeps *.localhost on loopback under any base domain, as browsers do (RFC 6761 §6.3)', () => {
    expect(sandboxAddressOf('tpp.localhost', hosted({ FAPI_HOST_ADDRESS: '192.0.2.10' }))).toBe('127.0.0.1');
    expect(sandboxAddressOf('bank.localhost', loadConfig({ ...process.env, FAPI_BASE_DOMAIN: '' }))).toBe(
      '127.0.0.1',
    );
  });
});
