// The TPP's stored registrations, read straight from its database, and what the bank holds for each
// of them (RFC 7592 §2.1 read over mutual TLS with the transport certificate).
import { createExchange, readRegistration as readEngineRegistration } from '@fapi-sandbox/fapi-client';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import { withTppDatabase } from './tpp-database.js';

export interface StoredRegistrationRow {
  registration_key: string;
  profile: string;
  client_auth: string;
  client_id: string;
  registration_client_uri: string;
  registration_access_token: string;
  metadata_version: string | null;
}

export function storedRegistrations(config: SandboxConfig): Promise<StoredRegistrationRow[]> {
  return withTppDatabase(config, async (db) => {
    const rows = await db.selectFrom('registrations').selectAll().orderBy('registration_key').execute();
    return rows as StoredRegistrationRow[];
  });
}

/** Rewrites stored rows as an older TPP left them (no metadata version), while the TPP keeps running. */
export function forgetMetadataVersions(config: SandboxConfig, profile: string): Promise<number> {
  return withTppDatabase(config, async (db) => {
    const result = await db
      .updateTable('registrations')
      .set({ metadata_version: null })
      .where('profile', '=', profile)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  });
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
