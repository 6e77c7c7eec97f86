// Organisations, their authorisation servers and software statements: creation and the status lifecycle
// (active ⇄ suspended → revoked). Revoking withdraws trust for good: the certificates go with it.
import { randomUUID } from 'node:crypto';
import { isUniqueViolation } from '@fapi-sandbox/fapi-core/sql-database';
import type { DirectoryStore } from '../store/index.js';
import { conflict, notFound, shown } from './errors.js';
import { newOrganisationId, newSoftwareId } from './identifiers.js';
import {
  type AuthorisationServer,
  effectiveStatus,
  type Organisation,
  type ParticipantStatus,
  type SoftwareRole,
  type SoftwareStatement,
} from './model.js';

export interface NewOrganisation {
  orgId?: string;
  orgName: string;
}

export interface NewAuthorisationServer {
  issuer: string;
  discoveryUrl?: string;
  apiBaseUrl: string;
  customerFriendlyName: string;
  logoUri?: string;
}

export interface NewSoftwareStatement {
  softwareId?: string;
  clientName: string;
  description?: string;
  version?: string;
  roles: SoftwareRole[];
  redirectUris: string[];
  logoUri?: string;
}

export interface SoftwareWithOrganisation {
  organisation: Organisation;
  software: SoftwareStatement;
  /** What a relying party must act on: a software statement is never more trusted than its organisation. */
  status: ParticipantStatus;
}

const now = () => new Date().toISOString();

function assertTransition(kind: string, id: string, from: ParticipantStatus, to: ParticipantStatus): void {
  if (from === 'revoked' && to !== 'revoked') {
    throw conflict(
      `${kind} ${id} is revoked; revocation is final`,
      `register a new ${kind.toLowerCase()} instead of reactivating a revoked one`,
    );
  }
}

export function createRegistry(store: DirectoryStore) {
  async function organisation(orgId: string, forUpdate = false): Promise<Organisation> {
    const found = await (forUpdate
      ? store.organisations.getForUpdate(orgId)
      : store.organisations.get(orgId));
    if (!found) {
      throw notFound(
        `No organisation ${shown(orgId)} is registered in the directory`,
        'check the id against GET /organisations',
      );
    }
    return found;
  }

  async function software(
    orgId: string,
    softwareId: string,
    forUpdate = false,
  ): Promise<SoftwareWithOrganisation> {
    const org = await organisation(orgId, forUpdate);
    const found = await (forUpdate
      ? store.softwareStatements.getForUpdate(softwareId)
      : store.softwareStatements.get(softwareId));
    if (!found || found.orgId !== orgId) {
      throw notFound(
        `Organisation ${shown(orgId)} has no software statement ${shown(softwareId)}`,
        `check the id against GET /organisations/${shown(orgId)}/software-statements`,
      );
    }
    return { organisation: org, software: found, status: effectiveStatus(org.status, found.status) };
  }

  function assertNotRevoked(org: Organisation): void {
    if (org.status === 'revoked') {
      throw conflict(
        `Organisation ${org.orgId} is revoked and can register nothing new`,
        'register a new organisation',
      );
    }
  }

  /** Revokes every unrevoked certificate of a software statement; raises the CRL number if any changed. */
  async function revokeCertificatesOf(softwareId: string, at: string): Promise<number> {
    const revoked = await store.certificates.revokeAllOfSoftware(softwareId, 'cessationOfOperation', at);
    if (revoked > 0) await store.settings.bumpCrlNumber();
    return revoked;
  }

  return {
    organisation: (orgId: string) => organisation(orgId),
    software: (orgId: string, softwareId: string) => software(orgId, softwareId),

    /**
     * Inside a transaction: the organisation and software statement as they stand, locked (row-locks.ts)
     * until it ends, so a decision on their status or their holdings stays true while it writes. Always
     * the organisation first, then the software: every writer locks in this order, so none deadlocks.
     */
    lockSoftware: (orgId: string, softwareId: string) => software(orgId, softwareId, true),

    async createOrganisation(input: NewOrganisation): Promise<Organisation> {
      const orgId = input.orgId ?? newOrganisationId();
      const at = now();
      const created: Organisation = {
        orgId,
        orgName: input.orgName,
        status: 'active',
        createdAt: at,
        updatedAt: at,
      };
      try {
        await store.transaction(async () => {
          if (await store.organisations.get(orgId)) throw duplicateOrganisation(orgId);
          await store.organisations.insert(created);
        });
      } catch (err) {
        // Another replica inserted the same id between the read and the write: the primary key refuses it.
        throw isUniqueViolation(err) ? duplicateOrganisation(orgId) : err;
      }
      return created;
    },

    setOrganisationStatus(orgId: string, status: ParticipantStatus): Promise<Organisation> {
      return store.transaction(async () => {
        const org = await organisation(orgId, true);
        assertTransition('Organisation', orgId, org.status, status);
        if (org.status === status) return org;
        const at = now();
        await store.organisations.setStatus(orgId, status, at);
        if (status === 'revoked') {
          for (const owned of await store.softwareStatements.listFor(orgId)) {
            await store.softwareStatements.setStatus(owned.softwareId, 'revoked', at);
            await revokeCertificatesOf(owned.softwareId, at);
          }
        }
        return organisation(orgId);
      });
    },

    async createAuthorisationServer(
      orgId: string,
      input: NewAuthorisationServer,
    ): Promise<AuthorisationServer> {
      const issuer = input.issuer.replace(/\/$/, '');
      const created: AuthorisationServer = {
        authorisationServerId: randomUUID(),
        orgId,
        issuer,
        discoveryUrl: input.discoveryUrl ?? `${issuer}/.well-known/openid-configuration`,
        apiBaseUrl: input.apiBaseUrl,
        customerFriendlyName: input.customerFriendlyName,
        logoUri: input.logoUri ?? null,
        createdAt: now(),
      };
      try {
        await store.transaction(async () => {
          assertNotRevoked(await organisation(orgId, true));
          if (await store.organisations.authorisationServers.byIssuer(issuer)) throw duplicateIssuer(issuer);
          await store.organisations.authorisationServers.insert(created);
        });
      } catch (err) {
        throw isUniqueViolation(err) ? duplicateIssuer(issuer) : err;
      }
      return created;
    },

    /** `limit`: the most software statements the organisation may hold (the developer portal's cap). */
    async createSoftwareStatement(
      orgId: string,
      input: NewSoftwareStatement,
      limit?: { maxPerOrganisation: number },
    ): Promise<SoftwareStatement> {
      const softwareId = input.softwareId ?? newSoftwareId();
      const at = now();
      const created: SoftwareStatement = {
        softwareId,
        orgId,
        clientName: input.clientName,
        description: input.description ?? input.clientName,
        version: input.version ?? '1.0',
        roles: [...new Set(input.roles)],
        redirectUris: input.redirectUris,
        logoUri: input.logoUri ?? null,
        status: 'active',
        createdAt: at,
        updatedAt: at,
      };
      try {
        await store.transaction(async () => {
          // Locked: two replicas creating at once count one after the other, never both under the cap.
          assertNotRevoked(await organisation(orgId, true));
          if (limit) {
            const owned = (await store.softwareStatements.listFor(orgId)).length;
            if (owned >= limit.maxPerOrganisation) {
              throw conflict(
                `Organisation ${orgId} already has ${owned} software statements, the most the portal registers for one organisation`,
                'use one of the software statements it has',
              );
            }
          }
          if (await store.softwareStatements.get(softwareId)) throw duplicateSoftware(softwareId);
          await store.softwareStatements.insert(created);
        });
      } catch (err) {
        throw isUniqueViolation(err) ? duplicateSoftware(softwareId) : err;
      }
      return created;
    },

    setSoftwareStatus(
      orgId: string,
      softwareId: string,
      status: ParticipantStatus,
    ): Promise<SoftwareWithOrganisation> {
      return store.transaction(async () => {
        const current = await software(orgId, softwareId, true);
        assertTransition('Software statement', softwareId, current.software.status, status);
        if (current.software.status !== status) {
          const at = now();
          await store.softwareStatements.setStatus(softwareId, status, at);
          if (status === 'revoked') await revokeCertificatesOf(softwareId, at);
        }
        return software(orgId, softwareId);
      });
    },
  };
}

export type Registry = ReturnType<typeof createRegistry>;

const duplicateOrganisation = (orgId: string) =>
  conflict(
    `An organisation with id ${orgId} already exists`,
    'choose another orgId, or omit it to have one minted',
  );
const duplicateSoftware = (softwareId: string) =>
  conflict(
    `A software statement with id ${softwareId} already exists`,
    'choose another softwareId, or omit it to have one minted',
  );
const duplicateIssuer = (issuer: string) =>
  conflict(
    `An authorisation server with issuer ${issuer} is already registered`,
    'each issuer is registered once',
  );
