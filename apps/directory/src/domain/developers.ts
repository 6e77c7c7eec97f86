// Developer portal accounts: a sign-up (with the sandbox's invite code) registers an organisation and
// gives its developer a bearer token that acts for that organisation only. The directory stores a
// SHA-256 of the token (it is 256 random bits, so a plain hash is enough) and shows the token once.
import { createHash, randomBytes } from 'node:crypto';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import type { InviteCode } from '../invite-code.js';
import type { DirectoryStore } from '../store/index.js';
import type { CertificateService } from './certificates.js';
import type { BundleMaker } from './client-bundle.js';
import { conflict } from './errors.js';
import { type CertificateType, certificateStatus, type Organisation } from './model.js';
import type { NewSoftwareStatement, Registry } from './registry.js';

/** Developer tokens are recognisable in logs and secret scanners by their prefix. */
const TOKEN_PREFIX = 'fdt_';

function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A shared sandbox stays small: what one portal organisation may hold. */
export const MAX_SOFTWARE_PER_ORGANISATION = 20;
/** Active certificates per software statement (a bundle adds three: transport, PS256, ES256). */
export const MAX_CERTIFICATES_PER_SOFTWARE = 30;

export function createDevelopers(deps: {
  store: DirectoryStore;
  registry: Registry;
  inviteCode: InviteCode;
  certificates: CertificateService;
  makeClientBundle: BundleMaker;
}) {
  const { store, registry, inviteCode, certificates, makeClientBundle } = deps;

  function assertInvited(candidate: unknown): void {
    if (typeof candidate !== 'string' || !inviteCode.matches(candidate)) {
      throw new OAuthError({
        status: 403,
        error: 'access_denied',
        description: `${typeof candidate === 'string' && candidate !== '' ? 'That is not the invite code of this sandbox' : 'No invite code was sent'}; signing up to the developer portal needs it`,
        fix: 'ask whoever runs the sandbox for the invite code: pnpm dev prints it in its ready table, and pnpm --silent sandbox:info shows it as inviteCode',
      });
    }
  }

  function assertRoomForCertificates(softwareId: string, adding: number): void {
    const active = store.certificates
      .list({ softwareId })
      .filter((certificate) => certificateStatus(certificate) === 'active').length;
    if (active + adding > MAX_CERTIFICATES_PER_SOFTWARE) {
      throw conflict(
        `Software statement ${softwareId} already holds ${active} active certificates; the portal certifies at most ${MAX_CERTIFICATES_PER_SOFTWARE} per software statement`,
        'create another software statement for a fresh start',
      );
    }
  }

  return {
    /** Refuses (403 access_denied) anything but this sandbox's invite code, in constant time. */
    assertInvited,

    /** Sign-up: the invite code must match before anything is written. */
    signUp(input: { inviteCode: unknown; orgName: string }): {
      organisation: Organisation;
      developerToken: string;
    } {
      assertInvited(input.inviteCode);
      const developerToken = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      return store.transaction(() => {
        const organisation = registry.createOrganisation({ orgName: input.orgName });
        store.developerTokens.insert({
          tokenHash: tokenHash(developerToken),
          orgId: organisation.orgId,
          createdAt: new Date().toISOString(),
        });
        return { organisation, developerToken };
      });
    },

    /** The organisation a developer token acts for, or undefined for an unknown token. */
    organisationOf(token: string): string | undefined {
      return store.developerTokens.orgIdOf(tokenHash(token));
    },

    createSoftwareStatement(orgId: string, input: Omit<NewSoftwareStatement, 'softwareId'>) {
      const owned = store.softwareStatements.listFor(orgId).length;
      if (owned >= MAX_SOFTWARE_PER_ORGANISATION) {
        throw conflict(
          `Organisation ${orgId} already has ${owned} software statements, the most the portal registers for one organisation`,
          'use one of the software statements it has',
        );
      }
      return registry.createSoftwareStatement(orgId, input);
    },

    /** A fresh transport key and two signing keys, certified; the private keys are returned once. */
    bundle(orgId: string, softwareId: string) {
      registry.software(orgId, softwareId);
      assertRoomForCertificates(softwareId, 3);
      return makeClientBundle(orgId, softwareId);
    },

    /** A certificate for the learner's own key (RFC 2986 CSR): the admin API's issuance. */
    issue(orgId: string, softwareId: string, request: { type: CertificateType; csr: string }) {
      registry.software(orgId, softwareId);
      assertRoomForCertificates(softwareId, 1);
      return certificates.issue(orgId, softwareId, request);
    },
  };
}

export type Developers = ReturnType<typeof createDevelopers>;
