// The TPP's client registrations at the bank: one per (profile, client authentication, options), because
// token binding, client authentication, response signing and encryption are fixed client metadata (RFC 7591 §2).
import { isKeyManagementAlg } from '@fapi-sandbox/fapi-core/jose/encryption';
import type { ClientAuthMethod, ProfileId, RegistrationOptions } from '../connect/profiles.js';
import { isCibaMode, registrationKey } from '../connect/profiles.js';
import type { Db } from './database.js';

export interface Registration extends RegistrationOptions {
  profile: ProfileId;
  clientAuth: ClientAuthMethod;
  clientId: string;
  /** RFC 7592 §3: lets the TPP read (and later update) its registration. Never leaves the back end. */
  registrationAccessToken?: string;
  registrationClientUri?: string;
  /** The metadata the bank returned (RFC 7591 §3.2.1). */
  metadata: Record<string, unknown>;
  /** The digest of the metadata Moneywise asked for; undefined for registrations stored before it was kept. */
  metadataVersion?: string;
  registeredAt: string;
}

interface Row {
  profile: string;
  client_auth: string;
  client_id: string;
  registration_access_token: string | null;
  registration_client_uri: string | null;
  metadata_json: string;
  metadata_version: string | null;
  registered_at: string;
  id_token_encryption: string | null;
  jarm_encryption: string | null;
  ciba_mode: string | null;
}

export interface RegistrationStore {
  get(
    profile: ProfileId,
    clientAuth: ClientAuthMethod,
    options?: RegistrationOptions,
  ): Registration | undefined;
  list(): Registration[];
  save(registration: Registration): void;
  remove(profile: ProfileId, clientAuth: ClientAuthMethod, options?: RegistrationOptions): void;
}

function fromRow(row: Row): Registration {
  return {
    profile: row.profile as ProfileId,
    clientAuth: row.client_auth as ClientAuthMethod,
    ...(isKeyManagementAlg(row.id_token_encryption) ? { idTokenEncryption: row.id_token_encryption } : {}),
    ...(isKeyManagementAlg(row.jarm_encryption) ? { jarmEncryption: row.jarm_encryption } : {}),
    ...(isCibaMode(row.ciba_mode) ? { ciba: row.ciba_mode } : {}),
    clientId: row.client_id,
    registrationAccessToken: row.registration_access_token ?? undefined,
    registrationClientUri: row.registration_client_uri ?? undefined,
    metadata: JSON.parse(row.metadata_json) as Record<string, unknown>,
    metadataVersion: row.metadata_version ?? undefined,
    registeredAt: row.registered_at,
  };
}

export function createRegistrationStore(db: Db): RegistrationStore {
  const get = db.prepare('SELECT * FROM registrations WHERE registration_key = ?');
  const list = db.prepare('SELECT * FROM registrations ORDER BY profile, client_auth');
  const upsert = db.prepare(`INSERT INTO registrations
      (registration_key, profile, client_auth, client_id, registration_access_token, registration_client_uri, metadata_json, metadata_version, registered_at, id_token_encryption, jarm_encryption, ciba_mode)
      VALUES (@key, @profile, @clientAuth, @clientId, @token, @uri, @metadata, @version, @registeredAt, @idTokenEncryption, @jarmEncryption, @ciba)
      ON CONFLICT (registration_key) DO UPDATE SET client_id = excluded.client_id,
        registration_access_token = excluded.registration_access_token,
        registration_client_uri = excluded.registration_client_uri,
        metadata_json = excluded.metadata_json, metadata_version = excluded.metadata_version,
        registered_at = excluded.registered_at`);
  const remove = db.prepare('DELETE FROM registrations WHERE registration_key = ?');
  return {
    get(profile, clientAuth, options) {
      const row = get.get(registrationKey(profile, clientAuth, options)) as Row | undefined;
      return row ? fromRow(row) : undefined;
    },
    list: () => (list.all() as Row[]).map(fromRow),
    save(registration) {
      upsert.run({
        key: registrationKey(registration.profile, registration.clientAuth, registration),
        profile: registration.profile,
        clientAuth: registration.clientAuth,
        clientId: registration.clientId,
        token: registration.registrationAccessToken ?? null,
        uri: registration.registrationClientUri ?? null,
        metadata: JSON.stringify(registration.metadata),
        version: registration.metadataVersion ?? null,
        registeredAt: registration.registeredAt,
        idTokenEncryption: registration.idTokenEncryption ?? null,
        jarmEncryption: registration.jarmEncryption ?? null,
        ciba: registration.ciba ?? null,
      });
    },
    remove(profile, clientAuth, options) {
      remove.run(registrationKey(profile, clientAuth, options));
    },
  };
}
