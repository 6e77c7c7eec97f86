// The sandbox's own resolver: how Node reaches the parties by name with no /etc/hosts edit. Every https
// agent the parties, the client engine and the scripts make (tls.ts `createSandboxAgent`) looks names up
// here. `*.localhost` is loopback (RFC 6761 §6.3), as browsers already know; under FAPI_BASE_DOMAIN,
// `*.<base domain>` goes to the configured host address. Every other name goes to the system resolver.
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import net from 'node:net';
import { type SandboxConfig, sandboxConfig } from './config.js';

/** `localhost` and `*.localhost` are loopback (RFC 6761 §6.3); browsers know it, Node's resolver may not. */
export function isLoopbackName(hostname: string): boolean {
  const host = normalised(hostname);
  return host === 'localhost' || host.endsWith('.localhost');
}

function normalised(hostname: string): string {
  return hostname.toLowerCase().replace(/\.$/, '');
}

/** The base domain itself or a name under it: a name only the sandbox's configuration answers for. */
export function isSandboxName(hostname: string, config: SandboxConfig): boolean {
  const host = normalised(hostname);
  return host === config.baseDomain || host.endsWith(`.${config.baseDomain}`);
}

/** Where the sandbox resolves `hostname`; undefined leaves it to the system resolver. */
export function sandboxAddressOf(hostname: string, config: SandboxConfig): string | undefined {
  if (isLoopbackName(hostname)) return '127.0.0.1';
  if (isSandboxName(hostname, config)) return config.hostAddress;
  return undefined;
}

/** A `net`/`tls` lookup (the `lookup` of an undici `connect` option) that knows the sandbox's names. */
export function sandboxLookupFor(config: SandboxConfig): LookupFunction {
  return (hostname, options, callback) => {
    const address = sandboxAddressOf(hostname, config);
    if (address === undefined) {
      dns.lookup(hostname, options, callback);
      return;
    }
    const family = net.isIPv6(address) ? 6 : 4;
    if (options.all) {
      (callback as unknown as (err: null, addresses: dns.LookupAddress[]) => void)(null, [
        { address, family },
      ]);
      return;
    }
    callback(null, address, family);
  };
}

/** The lookup for this process's configuration. */
export const sandboxLookup: LookupFunction = (hostname, options, callback) =>
  sandboxLookupFor(sandboxConfig())(hostname, options, callback);
