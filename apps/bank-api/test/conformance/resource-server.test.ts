// The resource-server half of the OpenID Foundation's FAPI 2.0 SP final and FAPI 1.0 Advanced final
// plans: the modules that call the bank's API with the token they obtained, for every variant of each
// plan, named `<module id> [<client auth>, <sender constraint>]` for `pnpm conformance` (which joins them
// with the same module's authorization-server half in apps/bank-op/test/conformance).
import { randomUUID } from 'node:crypto';
import { bendJwt, FLOW_VARIANTS, type JwtMessage } from '@fapi-sandbox/fapi-client';
import { createDpopProof, generateDpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  conformanceTestName,
  FAPI1_ADVANCED,
  FAPI2_SECURITY_PROFILE,
  type Plan,
  type Variant,
  variantLabel,
  variantsOf,
} from '../../../bank-op/test/conformance/modules.js';
import { type ApiResponse, connectTestClient, type TestClient } from '../support/clients.js';
import { accountAccess, type Sandbox, startSandbox } from '../support/sandbox.js';

let sb: Sandbox;
const PATH = '/aisp/accounts';

/** Client 1 and client 2 of one variant of a plan, each with an account-access token. */
interface Connected {
  client1: TestClient;
  client2: TestClient;
  token1: string;
  token2: string;
}
const connected = new Map<string, Connected>();
const key = (plan: Plan, variant: Variant) => `${plan.id} ${variantLabel(variant)}`;

beforeAll(async () => {
  sb = await startSandbox();
  for (const plan of [FAPI2_SECURITY_PROFILE, FAPI1_ADVANCED]) {
    for (const variant of plan.variants) {
      const base = FLOW_VARIANTS.find((flow) =>
        plan === FAPI1_ADVANCED ? flow.id === 'fapi1-advanced' : flow.binding === variant.senderConstraint,
      )!;
      const flowVariant = { ...base, clientAuth: variant.clientAuth };
      const { demo, second } = sb.config.participants;
      const client1 = await connectTestClient(sb.config, demo, flowVariant, `client 1 ${key(plan, variant)}`);
      const client2 = await connectTestClient(
        sb.config,
        second,
        flowVariant,
        `client 2 ${key(plan, variant)}`,
      );
      const { token: token1 } = await accountAccess(sb, client1);
      const { token: token2 } = await accountAccess(sb, client2);
      connected.set(key(plan, variant), { client1, client2, token1, token2 });
    }
  }
});
afterAll(async () => {
  for (const { client1, client2 } of connected.values()) {
    for (const client of [client1, client2]) {
      await client.flow.close();
      await (client.dispatcher as unknown as { close(): Promise<void> }).close();
    }
  }
  await sb?.stop();
});

type Scenario = (connection: Connected) => Promise<void>;

/** The resource server's part of the happy flow (and of FAPI 1.0 Advanced's, whose id is the plan's). */
const happyFlowAtTheApi: Scenario = async ({ client1, client2, token1, token2 }) => {
  const interactionId = randomUUID();
  const ok = await sb.call(client1, 'GET', PATH, {
    token: token1,
    headers: { 'x-fapi-interaction-id': interactionId },
  });
  expect(ok.status).toBe(200);
  // A Date header within ±5 minutes; x-fapi-interaction-id returned unchanged (FAPI 1.0 Part 1 §6.2.1-11).
  expect(Math.abs(Date.parse(ok.headers.get('date')!) - Date.now())).toBeLessThan(5 * 60_000);
  expect(ok.headers.get('x-fapi-interaction-id')).toBe(interactionId);
  expect(ok.headers.get('content-type')).toMatch(/^application\/json/);
  // FAPI 2.0 SP §5.3.4-2: never an access token in the query.
  const inQuery = await sb.call(client1, 'GET', `${PATH}?access_token=${token1}`);
  expect([400, 401, 414]).toContain(inQuery.status);
  for (const headers of <Record<string, string>[]>[
    { 'x-fapi-customer-ip-address': '2001:db8::1', accept: 'application/json; charset=utf-8' },
    { accept: 'application/json, application/*+json, */*' },
  ]) {
    expect((await sb.call(client1, 'GET', PATH, { token: token1, headers })).status).toBe(200);
  }
  // Client 2's token with client 1's certificate or DPoP key.
  const stolen = await sb.call(client1, 'GET', PATH, { token: token2 });
  expect(stolen.status).toBeGreaterThanOrEqual(400);
  expect(stolen.status).toBeLessThan(500);
  expect((await sb.call(client2, 'GET', PATH, { token: token2 })).status).toBe(200);
};

const caseInsensitiveScheme: Scenario = async ({ client1, token1 }) => {
  // RFC 9110 §11.1: the auth scheme is case-insensitive.
  const scheme = client1.binding === 'dpop' ? 'dPoP' : 'bEARER';
  expect((await sb.call(client1, 'GET', PATH, { token: token1, scheme })).status).toBe(200);
};

/** A proof for the accounts call, bent before signing (header, claims), with the current nonce. */
async function proof(
  client: TestClient,
  token: string,
  bend: (message: JwtMessage) => void = () => {},
): Promise<string> {
  const honest = await createDpopProof({
    key: client.dpopKey!,
    method: 'GET',
    url: `${sb.config.bankApi.baseUrl}${PATH}`,
    accessToken: token,
    nonce: client.nonce!,
  });
  return bendJwt(
    (message) => {
      if (message.kind !== 'jwt') return undefined;
      bend(message);
      return message;
    },
    { step: 'dpop', clause: 'RFC 9449 §4.2' },
    'dpop_proof',
    honest,
    { key: client.dpopKey!.privateKey, alg: client.dpopKey!.alg },
  );
}

const without =
  (part: 'header' | 'claims', name: string) =>
  (message: JwtMessage): void => {
    delete (message[part] as Record<string, unknown>)[name];
  };

const withClaim =
  (name: string, value: (current: unknown) => unknown) =>
  (message: JwtMessage): void => {
    message.claims[name] = value(message.claims[name]);
  };

const withHeader =
  (name: string, value: (current: unknown) => unknown) =>
  (message: JwtMessage): void => {
    (message.header as Record<string, unknown>)[name] = value(
      (message.header as Record<string, unknown>)[name],
    );
  };

/** Replaces one segment of a compact JWS (for what jose will not sign: no alg, a broken signature). */
const withSegment = (jws: string, index: number, value: string) =>
  jws
    .split('.')
    .map((segment, at) => (at === index ? value : segment))
    .join('.');

const dpopNegatives: Scenario = async ({ client1, token1 }) => {
  const call = (dpop: string | false, options: { scheme?: string; url?: string } = {}) =>
    sb.call(client1, 'GET', options.url ?? PATH, { token: token1, proof: dpop, validate: false, ...options });
  const expectRefused = (response: ApiResponse, what: string) => {
    expect([400, 401], `${what}: ${JSON.stringify(response.body)}`).toContain(response.status);
  };
  // A working call first (it also fetches the server's nonce).
  expect((await sb.call(client1, 'GET', PATH, { token: token1 })).status).toBe(200);
  const other = await generateDpopKey('ES256');
  const bent: [string, (message: JwtMessage) => void][] = [
    ['no typ', without('header', 'typ')],
    ['no jwk', without('header', 'jwk')],
    ...(['jti', 'htm', 'htu', 'iat', 'ath'] as const).map(
      (claim) => [`no ${claim}`, without('claims', claim)] as [string, (message: JwtMessage) => void],
    ),
    ['typ dpop+jwt+wrongyousee', withHeader('typ', () => 'dpop+jwt+wrongyousee')],
    ['a private key in jwk', withHeader('jwk', (jwk) => ({ ...(jwk as object), d: 'AAAA' }))],
    ['htm PUT', withClaim('htm', () => 'PUT')],
    ['htu of another URL', withClaim('htu', () => `${sb.config.bankApi.baseUrl}/aisp/balances`)],
    ['iat an hour ago', withClaim('iat', () => Math.floor(Date.now() / 1000) - 3600)],
    ['iat an hour ahead', withClaim('iat', () => Math.floor(Date.now() / 1000) + 3600)],
    ['the ath of another token', withClaim('ath', () => 'x'.repeat(43))],
    [
      'signed by another key',
      (m) => {
        m.key = { key: other.privateKey, alg: other.alg };
      },
    ],
  ];
  for (const [what, bend] of bent) expectRefused(await call(await proof(client1, token1, bend)), what);
  const good = await proof(client1, token1);
  expectRefused(await call(`${good}, ${await proof(client1, token1)}`), 'two DPoP headers');
  expectRefused(await call('not-a-jws'), 'no JWS');
  expectRefused(
    await call(withSegment(good, 0, Buffer.from('{"typ":"dpop+jwt"}').toString('base64url'))),
    'no alg',
  );
  expectRefused(
    await call(
      withSegment(
        good,
        0,
        Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'none' })).toString('base64url'),
      ),
    ),
    'alg none',
  );
  expectRefused(await call(withSegment(await proof(client1, token1), 2, 'A'.repeat(86))), 'a bad signature');
  expectRefused(await call(false), 'no DPoP header');
  expectRefused(await call(false, { scheme: 'Bearer' }), 'no DPoP header and the Bearer scheme');
  // Tolerated: htu with a query or fragment added, extra claims, an upper-case host.
  const upperHost = new URL(`${sb.config.bankApi.baseUrl}${PATH}`);
  for (const [what, bend] of [
    ['htu with a query', withClaim('htu', (htu) => `${htu}?extra=1`)],
    ['htu with a fragment', withClaim('htu', (htu) => `${htu}#fragment`)],
    ['extra claims', withClaim('extra', () => 'claim')],
    ['an extra header', withHeader('extra', () => 'header')],
    [
      'htu with an upper-case host',
      withClaim('htu', (htu) => String(htu).replace(upperHost.host, upperHost.host.toUpperCase())),
    ],
  ] as const) {
    const response = await call(await proof(client1, token1, bend));
    expect(response.status, `${what}: ${JSON.stringify(response.body)}`).toBe(200);
  }
  // And a correct proof still works.
  expect((await sb.call(client1, 'GET', PATH, { token: token1 })).status).toBe(200);
};

const scenarios: Record<string, Scenario> = {
  'fapi2-security-profile-final-happy-flow': happyFlowAtTheApi,
  'fapi2-security-profile-final-access-token-type-header-case-sensitivity': caseInsensitiveScheme,
  'fapi2-security-profile-final-dpop-negative-tests': dpopNegatives,
  'fapi1-advanced-final': happyFlowAtTheApi,
  'fapi1-advanced-final-access-token-type-header-case-sensitivity': caseInsensitiveScheme,
};

for (const plan of [FAPI2_SECURITY_PROFILE, FAPI1_ADVANCED]) {
  describe(`${plan.title}: the resource server`, () => {
    for (const module of plan.modules) {
      const scenario = scenarios[module.id];
      if (!scenario) continue;
      for (const variant of variantsOf(plan, module)) {
        it(`${conformanceTestName(module.id, variant)}: resource server`, () =>
          scenario(connected.get(key(plan, variant))!));
      }
    }
  });
}
