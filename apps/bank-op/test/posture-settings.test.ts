// The posture list is the configuration: every value oidc-provider enforces for a profile's clients is
// read from the profile (profiles/provider-settings.ts, profiles/client-policy.ts). Changing a value in
// the profile changes what the running provider enforces, and the configuration cannot say otherwise.
import { contentEncryptionAlgs, keyManagementAlgs } from '@fapi-sandbox/fapi-core/jose/encryption';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ProfileDefinition, profiles, unionOfProfiles } from '../src/profiles/index.js';
import { providerConfiguration } from '../src/provider/configuration.js';
import { expectOAuthError } from './support/expect-error.js';
import { authorizeFapi1, authorizeFapi2 } from './support/flows.js';
import { type Sandbox, startSandbox } from './support/sandbox.js';
import { TestTpp } from './support/tpp.js';

// The profile change under test, made before the bank starts: FAPI 2.0 codes live 2 s instead of 60,
// FAPI 1.0 Advanced keeps its 60 s. Vitest gives each test file its own module registry.
const SHORT_CODE_LIFETIME = 2;
const fapi2Settings = profiles.fapi2.provider as { authorizationCodeSeconds: number };
const originalCodeLifetime = fapi2Settings.authorizationCodeSeconds;
fapi2Settings.authorizationCodeSeconds = SHORT_CODE_LIFETIME;

let sandbox: Sandbox;
let tpp: TestTpp;

beforeAll(async () => {
  sandbox = await startSandbox();
  tpp = new TestTpp(sandbox, sandbox.config.participants.demo);
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  await sandbox?.close();
  fapi2Settings.authorizationCodeSeconds = originalCodeLifetime;
});

function advanceClock(seconds: number): void {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date(Date.now() + seconds * 1000));
}

/** A client record of the profile, as oidc-provider hands it to the configuration's functions. */
const clientOf = (profile: ProfileDefinition) => ({ fapi_profile: profile.id, clientId: `a-${profile.id}` });
const noContext = undefined as unknown as KoaContextWithOIDC;

describe('a value changed in the profile is what oidc-provider enforces', () => {
  it('expires a FAPI 2.0 code after the profile lifetime, while FAPI 1.0 Advanced codes keep theirs', async () => {
    const fapi2Client = await tpp.register({ senderConstraint: 'mtls' });
    const fapi1Client = await tpp.register({ profile: 'fapi1-advanced' });
    const fapi2Code = await authorizeFapi2(tpp, fapi2Client);
    const fapi1Code = await authorizeFapi1(tpp, fapi1Client, 'hybrid-par');
    advanceClock(SHORT_CODE_LIFETIME + 3);

    const expired = await tpp.redeem(fapi2Client, fapi2Code.code, fapi2Code.pkce);
    expectOAuthError(expired, {
      status: 400,
      error: 'invalid_grant',
      clause: /5\.3\.2\.1-11/,
      mentions: /expired/,
    });
    const redeemed = await tpp.redeem(fapi1Client, fapi1Code.code, fapi1Code.pkce);
    expect(redeemed.status, JSON.stringify(redeemed.body)).toBe(200);
  });

  it('asks the running provider for the lifetimes of each profile, and gets the profile values', () => {
    const { provider } = sandbox.bankOp;
    for (const profile of Object.values(profiles)) {
      const client = clientOf(profile);
      const lifetime = (model: { expiresIn(...args: unknown[]): number }) =>
        model.expiresIn(noContext, {}, client);
      expect(lifetime(provider.AuthorizationCode as never), profile.id).toBe(
        profile.provider.authorizationCodeSeconds,
      );
      expect(lifetime(provider.RefreshToken as never), profile.id).toBe(profile.provider.tokens.refreshToken);
      expect(lifetime(provider.ClientCredentials as never), profile.id).toBe(
        profile.provider.tokens.clientCredentials,
      );
      expect(lifetime(provider.IdToken as never), profile.id).toBe(profile.provider.tokens.idToken);
    }
  });

  it('answers a pushed authorization request with the request_uri lifetime the profile states', async () => {
    const client = await tpp.register({ senderConstraint: 'mtls' });
    const params = tpp.authorizationParams(client, await tpp.accountConsent(client), tpp.pkce());
    const par = await tpp.par(client, params);
    expect(par.status, JSON.stringify(par.body)).toBe(201);
    // oidc-provider fixes this value (not configurable): the profile must state what it does.
    expect(par.body.expires_in).toBe(profiles.fapi2.provider.requestUriSeconds);
  });
});

describe('the provider configuration reads every FAPI value from the profiles', () => {
  const configuration = () =>
    providerConfiguration({
      config: sandbox.config,
      bank: sandbox.bank,
      store: { adapterFor: () => undefined } as never,
      bankAppInbox: {} as never,
      signingJwks: { keys: [] },
      encryptionJwks: { keys: [] },
      secrets: { cookieKeys: ['k'], dpopNonceSecret: Buffer.alloc(32) } as never,
      certificates: {} as never,
      certificateBinding: {} as never,
      fetch: (() => undefined) as never,
      renderError: (() => undefined) as never,
    });

  it.each(Object.values(profiles))('$id: ttl, PKCE, DPoP nonce and token lifetimes per client', (profile) => {
    const ttl = configuration().ttl as Record<string, (...args: unknown[]) => number>;
    const client = clientOf(profile);
    const settings = profile.provider;
    expect(ttl.AuthorizationCode!(noContext, {}, client)).toBe(settings.authorizationCodeSeconds);
    expect(ttl.AccessToken!(noContext, {}, client)).toBe(settings.tokens.accessToken);
    expect(ttl.ClientCredentials!(noContext, {}, client)).toBe(settings.tokens.clientCredentials);
    expect(ttl.IdToken!(noContext, {}, client)).toBe(settings.tokens.idToken);
    expect(ttl.RefreshToken!(noContext, {}, client)).toBe(settings.tokens.refreshToken);

    const features = configuration().features!;
    const context = (route: string) => ({ oidc: { route, client } }) as unknown as KoaContextWithOIDC;
    const pkceRequired = configuration().pkce!.required as (
      ctx: KoaContextWithOIDC,
      client: unknown,
    ) => boolean;
    expect(pkceRequired(context('authorization'), client)).toBe(profile.client.pkce === 'always');
    expect(pkceRequired(context('pushed_authorization_request'), client)).toBe(true);
    expect(features.dPoP!.requireNonce!(context('token'))).toBe(settings.dpopNonceRequired);
    expect(features.fapi!.profile).toBeTypeOf('function');
    expect((features.fapi!.profile as (ctx: unknown, client: unknown) => string)(noContext, client)).toBe(
      profile.client.oidcProviderProfile,
    );
  });

  it('enables what some profile offers, and only that', () => {
    const config = configuration();
    const clientAlgs = unionOfProfiles((profile) => profile.client.signingAlgs);
    const bankAlgs = unionOfProfiles((profile) => profile.client.bankSigningAlgs);
    expect(config.clockTolerance).toBe(profiles.fapi2.provider.clockToleranceSeconds);
    expect(config.clockTolerance).toBe(profiles['fapi1-advanced'].provider.clockToleranceSeconds);
    expect(new Set(config.responseTypes)).toEqual(
      new Set(unionOfProfiles((profile) => profile.client.responseTypes.allowed)),
    );
    expect(new Set(config.clientAuthMethods)).toEqual(
      new Set(unionOfProfiles((profile) => profile.client.clientAuthMethods)),
    );
    expect(config.enabledJWA).toEqual({
      clientAuthSigningAlgValues: clientAlgs,
      requestObjectSigningAlgValues: clientAlgs,
      dPoPSigningAlgValues: clientAlgs,
      idTokenSigningAlgValues: bankAlgs,
      authorizationSigningAlgValues: bankAlgs,
      introspectionSigningAlgValues: bankAlgs,
      userinfoSigningAlgValues: bankAlgs,
      // fapi-core's encryption list, for every profile (profiles/encryption.ts).
      ...Object.fromEntries(
        ['requestObject', 'idToken', 'authorization'].flatMap((what) => [
          [`${what}EncryptionAlgValues`, [...keyManagementAlgs]],
          [`${what}EncryptionEncValues`, [...contentEncryptionAlgs]],
        ]),
      ),
    });
    const senderConstraints = unionOfProfiles((profile) => profile.client.senderConstraints);
    expect(config.features!.mTLS!.certificateBoundAccessTokens).toBe(senderConstraints.includes('mtls'));
    expect(config.features!.dPoP!.enabled).toBe(senderConstraints.includes('dpop'));
    expect(config.features!.jwtResponseModes!.enabled).toBe(
      Object.values(profiles).some((profile) => profile.provider.jarm),
    );
  });
});

describe('the profile values stay within their clauses', () => {
  // The test file shortened the FAPI 2.0 code lifetime above; the bounds are checked on the shipped value.
  it('FAPI 2.0 SP §5.3.2.1-11, §5.3.2.2-12, §5.3.2.1-13', () => {
    expect(originalCodeLifetime).toBeLessThanOrEqual(60);
    for (const profile of Object.values(profiles)) {
      expect(profile.provider.requestUriSeconds, profile.id).toBeLessThan(600);
      // Up to 10 s in the future accepted, more than 60 s refused.
      expect(profile.provider.clockToleranceSeconds, profile.id).toBeGreaterThanOrEqual(10);
      expect(profile.provider.clockToleranceSeconds, profile.id).toBeLessThanOrEqual(60);
      // FAPI 1.0 Adv §5.2.2-13/17: 60 minutes.
      expect(profile.provider.requestObjectWindowSeconds, profile.id).toBeLessThanOrEqual(3600);
    }
  });
});
