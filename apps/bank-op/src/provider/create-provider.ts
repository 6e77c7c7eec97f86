// Builds the oidc-provider instance from its configuration and attaches what explains its errors and
// completes its discovery document.
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { errorPage } from '../interactions/error-page.js';
import { PAGE_CSP } from '../interactions/layout.js';
import { profileOf } from '../profiles/index.js';
import { paceCibaPolls } from './ciba.js';
import { type ConfigurationDependencies, providerConfiguration } from './configuration.js';
import { advertiseMtlsRegistration } from './discovery.js';
import {
  explain,
  explainAuthorizationRedirects,
  explainJsonErrors,
  type ProviderError,
} from './explain-errors.js';
import { traceRequestObjectDecryption } from './request-object-encryption.js';
import { recordGrantRevocations, revokeJwtAccessTokens } from './token-revocation.js';

export function createProvider(
  deps: Omit<ConfigurationDependencies, 'renderError'> & { config: SandboxConfig; bankName: string },
): Provider {
  const renderError: NonNullable<Configuration['renderError']> = async (ctx, out, err) => {
    const profile = profileOf((ctx as KoaContextWithOIDC).oidc?.client as never);
    const description =
      out.error === 'server_error'
        ? String(out.error_description ?? 'The bank could not process the request')
        : explain(profile, { ...(err as ProviderError), error: out.error });
    ctx.type = 'html';
    ctx.set('Content-Security-Policy', PAGE_CSP);
    ctx.body = errorPage({ bankName: deps.bankName, error: out.error, description });
  };

  const provider = new Provider(deps.config.bankOp.issuer, providerConfiguration({ ...deps, renderError }));
  // bank-op's own listeners terminate TLS; X-Forwarded-* headers are never trusted (see mtls/client-certificate.ts).
  provider.proxy = false;

  explainJsonErrors(provider);
  explainAuthorizationRedirects(provider);
  advertiseMtlsRegistration(provider, deps.config);
  traceRequestObjectDecryption(provider);
  paceCibaPolls(provider, deps.store);
  recordGrantRevocations(provider, deps.bank);
  revokeJwtAccessTokens(provider, {
    bank: deps.bank,
    issuer: deps.config.bankOp.issuer,
    signingJwks: deps.signingJwks,
  });
  return provider;
}
