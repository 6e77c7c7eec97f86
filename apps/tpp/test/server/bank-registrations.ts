// The TPP's stored registrations, read straight from its SQLite file, and what the bank holds for each
// of them (RFC 7592 §2.1 read over mutual TLS with the transport certificate).
import path from 'node:path';
import { createExchange, readRegistration as readEngineRegistration } from '@fapi-sandbox/fapi-client';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import Database from 'better-sqlite3';

export interface StoredRegistrationRow {
  registration_key: string;
  profile: string;
  client_auth: string;
  client_id: string;
  registration_client_uri: string;
  registration_access_token: string;
  metadata_version: string | null;
}

function tppDatabase(config: SandboxConfig, readonly: boolean): Database.Database {
  return new Database(path.join(config.dataDir, 'tpp', 'tpp.sqlite'), { readonly });
}

export function storedRegistrations(config: SandboxConfig): StoredRegistrationRow[] {
  const db = tppDatabase(config, true);
  try {
    return db
      .prepare('SELECT * FROM registrations ORDER BY registration_key')
      .all() as StoredRegistrationRow[];
  } finally {
    db.close();
  }
}

/** Rewrites stored rows as an older TPP left them (no metadata version), while the TPP keeps running. */
export function forgetMetadataVersions(config: SandboxConfig, profile: string): number {
  const db = tppDatabase(config, false);
  try {
    return db.prepare('UPDATE registrations SET metadata_version = NULL WHERE profile = ?').run(profile)
      .changes;
  } finally {
    db.close();
  }
}

/** RFC 7592 §2.1: GET the client configuration endpoint with the registration access token (the engine's read). */
export async function readRegistration(
  config: SandboxConfig,
  row: Pick<StoredRegistrationRow, 'registration_client_uri' | 'registration_access_token'>,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const transport = transportAgentFor(config.participants.demo, config);
  try {
    const response = await readEngineRegistration(
      { exchange: createExchange() },
      { step: 'dcr-read', clause: 'RFC 7592 §2.1' },
      {
        registrationClientUri: row.registration_client_uri,
        registrationAccessToken: row.registration_access_token,
        transport,
      },
    );
    return { status: response.status, body: response.body as Record<string, unknown> };
  } finally {
    await transport.close();
  }
}
