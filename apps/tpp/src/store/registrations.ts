// The TPP's client registrations at the bank: one per (profile, client authentication, options), because
// token binding, client authentication, response signing and encryption are fixed client metadata (RFC 7591 §2).
import { isKeyManagementAlg } from '@fapi-sandbox/fapi-core/jose/encryption';
import type { ClientAuthMethod, ProfileId, RegistrationOptions } from '../connect/profiles.js';
import { isCibaMode, registrationKey } from '../connect/profiles.js';
import type { Db, RegistrationsTable } from './database.js';

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

export interface RegistrationStore {
  get(
    profile: ProfileId,
    clientAuth: ClientAuthMethod,
    options?: RegistrationOptions,
  ): Promise<Registration | undefined>;
  list(): Promise<Registration[]>;
  save(registration: Registration): Promise<void>;
  remove(profile: ProfileId, clientAuth: ClientAuthMethod, options?: RegistrationOptions): Promise<void>;
}

function fromRow(row: RegistrationsTable): Registration {
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
  return {
    async get(profile, clientAuth, options) {
      const row = await db
        .selectFrom('registrations')
        .selectAll()
        .where('registration_key', '=', registrationKey(profile, clientAuth, options))
        .executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },
    async list() {
      const rows = await db
        .selectFrom('registrations')
        .selectAll()
        .orderBy('profile')
        .orderBy('client_auth')
        .execute();
      return rows.map(fromRow);
    },
    async save(registration) {
      const registered = {
        client_id: registration.clientId,
        registration_access_token: registration.registrationAccessToken ?? null,
        registration_client_uri: registration.registrationClientUri ?? null,
        metadata_json: JSON.stringify(registration.metadata),
        metadata_version: registration.metadataVersion ?? null,
        registered_at: registration.registeredAt,
      };
      await db
        .insertInto('registrations')
        .values({
          registration_key: registrationKey(registration.profile, registration.clientAuth, registration),
          profile: registration.profile,
          client_auth: registration.clientAuth,
          id_token_encryption: registration.idTokenEncryption ?? null,
          jarm_encryption: registration.jarmEncryption ?? null,
          ciba_mode: registration.ciba ?? null,
          ...registered,
        })
        // Registering again (new metadata, or the bank forgot the client) replaces what the bank said.
        .onConflict((oc) => oc.column('registration_key').doUpdateSet(registered))
        .execute();
    },
    async remove(profile, clientAuth, options) {
      await db
        .deleteFrom('registrations')
        .where('registration_key', '=', registrationKey(profile, clientAuth, options))
        .execute();
    },
  };
}
