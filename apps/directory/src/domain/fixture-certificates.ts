// The fixture participants' certificates: the files `pnpm pki` wrote under certs/participants/<slug>/, which
// the parties of `pnpm dev` present, and what certs/manifest.json says each file is and who uses it.
import fs from 'node:fs';
import path from 'node:path';
import type { Participant, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { certificateThumbprint } from '@fapi-sandbox/fapi-core/jose/thumbprint';
import { z } from 'zod';
import { pemChainFromX5c } from './certificate-records.js';

/** The fixture participant (certs/participants/<slug>) whose software this is, if any. */
export function fixtureParticipantOf(config: SandboxConfig, softwareId: string): Participant | undefined {
  return Object.values(config.participants).find((participant) => participant.softwareId === softwareId);
}

/** The x5t#S256 of the transport certificate a fixture participant's parties present now (read from its file). */
export function transportThumbprintInUse(participant: Participant): string | undefined {
  try {
    return certificateThumbprint(fs.readFileSync(participant.transportCert, 'utf8'));
  } catch {
    return undefined;
  }
}

const publicJwks = z.object({
  keys: z.array(z.object({ kid: z.string(), x5c: z.array(z.string()).min(1) }).loose()),
});

/**
 * The signing certificates a fixture participant's parties sign with now: x5t#S256 of each key's x5c[0]
 * in certs/participants/<slug>/signing.public.jwks.json → that key's kid. Empty when the file is unreadable.
 */
export function signingThumbprintsInUse(participant: Participant): Map<string, string> {
  const inUse = new Map<string, string>();
  try {
    const jwks = publicJwks.parse(JSON.parse(fs.readFileSync(participant.signingPublicJwks, 'utf8')));
    for (const key of jwks.keys) {
      inUse.set(certificateThumbprint(pemChainFromX5c(key.x5c.slice(0, 1))), key.kid);
    }
  } catch {
    // A missing or unreadable JWKS marks nothing in use; `pnpm pki:ensure` reports the file.
  }
  return inUse;
}

/** Thumbprint → the certs/ file that holds that certificate now, for every fixture participant. */
export function certificatesInUse(config: SandboxConfig): Map<string, string> {
  const inUse = new Map<string, string>();
  const shown = (file: string) => `certs/${path.relative(config.certsDir, file).split(path.sep).join('/')}`;
  for (const participant of Object.values(config.participants)) {
    const transport = transportThumbprintInUse(participant);
    if (transport) inUse.set(transport, shown(participant.transportCert));
    for (const x5t of signingThumbprintsInUse(participant).keys()) {
      inUse.set(x5t, shown(participant.signingPublicJwks));
    }
  }
  return inUse;
}

const manifest = z.object({
  files: z.array(
    z
      .object({ path: z.string(), what: z.string(), usedBy: z.array(z.string()), secret: z.boolean() })
      .loose(),
  ),
});

export interface FixtureFile {
  file: string;
  what: string;
  usedBy: string[];
  secret: boolean;
}

/** What certs/manifest.json says about a fixture participant's files (empty when there is no manifest). */
export function fixtureFiles(config: SandboxConfig, participant: Participant): FixtureFile[] {
  try {
    const { files } = manifest.parse(JSON.parse(fs.readFileSync(config.pkiManifest, 'utf8')));
    const folder = `participants/${participant.slug}/`;
    return files
      .filter((entry) => entry.path.startsWith(folder))
      .map((entry) => ({
        file: `certs/${entry.path}`,
        what: entry.what,
        usedBy: entry.usedBy,
        secret: entry.secret,
      }));
  } catch {
    return [];
  }
}
