// Software statement assertions: signed for a software statement's own transport certificate, recorded,
// and previewed (decoded, unsigned) for the directory's web page.
import { randomUUID } from 'node:crypto';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import type { PeerCertificate } from '@fapi-sandbox/fapi-core/peer-certificate';
import type { DirectoryStore } from '../store/index.js';
import type { Registry } from './registry.js';
import { type SsaClaims, ssaClaims } from './ssa-claims.js';
import type { SsaSigner } from './ssa-signer.js';
import type { TransportIdentity } from './transport-identity.js';
import { softwareJwksUri } from './urls.js';

export function createSsaService(deps: {
  config: SandboxConfig;
  store: DirectoryStore;
  registry: Registry;
  signer: SsaSigner;
  identity: TransportIdentity;
}) {
  const { config, store, registry, signer, identity } = deps;

  async function claimsFor(orgId: string, softwareId: string, now: Date): Promise<SsaClaims> {
    const { organisation, software } = await registry.software(orgId, softwareId);
    return ssaClaims({
      issuer: config.directory.web.origin,
      organisation,
      software,
      jwksUri: softwareJwksUri(config, orgId, softwareId),
      jti: randomUUID(),
      now,
    });
  }

  return {
    /** Checks the connection's transport certificate and the software's standing, then signs a fresh SSA. */
    async issueOverMtls(
      presented: PeerCertificate | undefined,
      orgId: string,
      softwareId: string,
    ): Promise<string> {
      const { certificate, peer } = await identity.identify(presented);
      const current = await registry.software(orgId, softwareId);
      identity.assertBoundTo(certificate, peer, orgId, softwareId);
      if (current.status !== 'active') {
        const whose =
          current.organisation.status !== 'active'
            ? `Organisation ${orgId}`
            : `Software statement ${softwareId}`;
        // RFC 7591 §2.3: an SSA is the directory vouching for the software; it vouches only for active software.
        throw new OAuthError({
          status: 403,
          error: 'access_denied',
          description: `${whose} is ${current.status} in the directory, so no SSA is issued for ${softwareId}`,
          clause: 'RFC 7591 §2.3',
          fix: 'ask the directory operator to reactivate it; banks refuse suspended software too',
        });
      }
      const claims = await claimsFor(orgId, softwareId, new Date());
      const ssa = await signer.sign(claims);
      await store.ssaIssuances.insert({
        jti: claims.jti,
        orgId,
        softwareId,
        issuedAt: new Date(claims.iat * 1000).toISOString(),
        expiresAt: new Date(claims.exp * 1000).toISOString(),
        certificateSerialNumber: certificate.serialNumber,
        ssa,
      });
      return ssa;
    },

    /** What the directory would sign now, decoded: for the web page, which never hands out a signed SSA. */
    async preview(
      orgId: string,
      softwareId: string,
    ): Promise<{ header: Record<string, string>; claims: SsaClaims }> {
      return {
        header: { alg: signer.alg, kid: signer.kid, typ: 'JWT' },
        claims: await claimsFor(orgId, softwareId, new Date()),
      };
    },
  };
}

export type SsaService = ReturnType<typeof createSsaService>;
