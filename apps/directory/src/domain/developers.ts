// Developer portal accounts: a sign-up (with the sandbox's invite code) registers an organisation and
// gives its developer a bearer token that acts for that organisation only. The directory stores a
// SHA-256 of the token (it is 256 random bits, so a plain hash is enough) and shows the token once.
import { createHash, randomBytes } from 'node:crypto';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import type { InviteCode } from '../invite-code.js';
import type { DirectoryStore } from '../store/index.js';
import type { CertificateService } from './certificates.js';
import type { BundleMaker } from './client-bundle.js';
import type { CertificateType, Organisation } from './model.js';
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
const CERTIFICATE_LIMIT = { maxActive: MAX_CERTIFICATES_PER_SOFTWARE };

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

  return {
    /** Refuses (403 access_denied) anything but this sandbox's invite code, in constant time. */
    assertInvited,

    /** Sign-up: the invite code must match before anything is written. */
    async signUp(input: { inviteCode: unknown; orgName: string }): Promise<{
      organisation: Organisation;
      developerToken: string;
    }> {
      assertInvited(input.inviteCode);
      const developerToken = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
      // The organisation and its token, together or not at all.
      return store.transaction(async () => {
        const organisation = await registry.createOrganisation({ orgName: input.orgName });
        await store.developerTokens.insert({
          tokenHash: tokenHash(developerToken),
          orgId: organisation.orgId,
          createdAt: new Date().toISOString(),
        });
        return { organisation, developerToken };
      });
    },

    /** The organisation a developer token acts for, or undefined for an unknown token. */
    organisationOf(token: string): Promise<string | undefined> {
      return store.developerTokens.orgIdOf(tokenHash(token));
    },

    /** The cap is counted inside the write, with the organisation held: replicas cannot both slip under it. */
    createSoftwareStatement(orgId: string, input: Omit<NewSoftwareStatement, 'softwareId'>) {
      return registry.createSoftwareStatement(orgId, input, {
        maxPerOrganisation: MAX_SOFTWARE_PER_ORGANISATION,
      });
    },

    /** A fresh transport key and two signing keys, certified; the private keys are returned once. */
    async bundle(orgId: string, softwareId: string) {
      await registry.software(orgId, softwareId);
      // Refused before any key is made; checked again as the certificates are written (certificates.ts).
      await certificates.assertRoom(softwareId, 3, CERTIFICATE_LIMIT);
      return makeClientBundle(orgId, softwareId, CERTIFICATE_LIMIT);
    },

    /** A certificate for the learner's own key (RFC 2986 CSR): the admin API's issuance. */
    async issue(orgId: string, softwareId: string, request: { type: CertificateType; csr: string }) {
      await registry.software(orgId, softwareId);
      await certificates.assertRoom(softwareId, 1, CERTIFICATE_LIMIT);
      return certificates.issue(orgId, softwareId, request, CERTIFICATE_LIMIT);
    },
  };
}

export type Developers = ReturnType<typeof createDevelopers>;
