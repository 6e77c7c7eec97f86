// The load generator's process, pinned to its own core: the benchmark starts it and drives it over IPC.
//   prepare  registers the clients at bank-op by real DCR (an SSA from the directory, as the flow client
//            does) and runs one journey per binding for a customer's DPoP-bound and certificate-bound tokens
//   check    one request to every target, and the peers' tokens compared with bank-op's (same algorithm,
//            same binding): a peer that does less than its subject would flatter nobody
//   load     one target for a while with a fixed number of requests in flight
//   journeys whole journeys (flows.ts) for a while, a few in flight
import { demoCustomer } from '@fapi-sandbox/bank-domain';
import { type Bend, FapiFlowClient, FLOW_VARIANTS, type FlowVariant } from '@fapi-sandbox/fapi-client';
import { sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { generateDpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import { loadSigningKeys } from '@fapi-sandbox/fapi-core/jose/keys';
import { createSandboxAgent, transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { runFlowOnce } from '../flows.js';
import { serveRequests } from '../ipc.js';
import { FLOOR_PATH } from '../peers/floor-server.js';
import { driveFor } from './drive.js';
import { dpopApiRequests, mtlsApiRequests, type Send, tokenRequests } from './requests.js';

export const TARGETS = [
  'bank-op-token',
  'bare-oidc-provider-token',
  'bank-api-dpop',
  'floor-dpop',
  'bank-api-mtls',
  'floor-mtls',
] as const;
export type Target = (typeof TARGETS)[number];

const config = sandboxConfig();
const participant = config.participants.demo;
const plain = createSandboxAgent({}, config);
const transport = transportAgentFor(participant, config);
const variant = (id: FlowVariant['id']) => FLOW_VARIANTS.find((v) => v.id === id)!;

/** The token endpoint's client: FAPI 2.0 with certificate-bound tokens, authenticated by an ES256 private_key_jwt. */
const TOKEN_CLIENT: FlowVariant = {
  ...variant('fapi2-mtls'),
  title: 'FAPI 2.0 + mTLS-bound tokens + private_key_jwt (ES256), pnpm bench',
  clientAuth: 'private_key_jwt',
};
const es256Assertions: Bend = (message) =>
  message.kind === 'http' && message.step === 'registration'
    ? { ...message, json: { ...(message.json as object), token_endpoint_auth_signing_alg: 'ES256' } }
    : undefined;

let targets: Partial<Record<Target, Send>> = {};
let journeyClient: FapiFlowClient | undefined;
let tokenClientId = '';

async function prepare(): Promise<{ clientId: string }> {
  const tokenClient = await FapiFlowClient.connect({ config, variant: TOKEN_CLIENT, bend: es256Assertions });
  tokenClientId = tokenClient.clientId;
  await tokenClient.close();
  journeyClient = await FapiFlowClient.connect({ config, variant: variant('fapi2-dpop') });
  return { clientId: tokenClientId };
}

/** A customer's token for each binding, fresh (they live minutes), and the requests that use them. */
async function aim(peers: { bareOrigin: string; floorOrigin: string }): Promise<Record<string, unknown>> {
  const dpopKey = await generateDpopKey('ES256');
  const dpopClient = await FapiFlowClient.connect({ config, variant: variant('fapi2-dpop'), dpopKey });
  const mtlsClient = await FapiFlowClient.connect({ config, variant: variant('fapi2-mtls') });
  try {
    const dpopToken = (await runFlowOnce(dpopClient, demoCustomer())).token.value;
    const mtlsToken = (await runFlowOnce(mtlsClient, demoCustomer())).token.value;
    const signingKey = (await loadSigningKeys(participant.signingJwks, { profile: 'fapi2' })).forAlg('ES256');
    const accounts = `${config.bankApi.baseUrl}/aisp/accounts`;
    const floor = `${peers.floorOrigin}${FLOOR_PATH}`;
    const bankOpToken = tokenRequests({
      tokenUrl: `${config.bankOp.mtls.origin}/token`,
      issuer: config.bankOp.issuer,
      clientId: tokenClientId,
      signingKey,
      transport,
    });
    const bareToken = tokenRequests({
      tokenUrl: `${peers.bareOrigin}/token`,
      issuer: peers.bareOrigin,
      clientId: tokenClientId,
      signingKey,
      transport,
    });
    targets = {
      'bank-op-token': bankOpToken,
      'bare-oidc-provider-token': bareToken,
      'bank-api-dpop': dpopApiRequests({ url: accounts, accessToken: dpopToken, dpopKey, dispatcher: plain }),
      'floor-dpop': dpopApiRequests({ url: floor, accessToken: dpopToken, dpopKey, dispatcher: plain }),
      'bank-api-mtls': mtlsApiRequests({ url: accounts, accessToken: mtlsToken, transport }),
      'floor-mtls': mtlsApiRequests({ url: floor, accessToken: mtlsToken, transport }),
    };
    for (const send of Object.values(targets)) await send();
    // The peer must issue what bank-op issues: a JWT with the same algorithm, bound to the certificate.
    const [ours, theirs] = [shapeOf(bankOpToken.lastAccessToken()), shapeOf(bareToken.lastAccessToken())];
    if (ours !== theirs)
      throw new Error(`the bare provider's token (${theirs}) is not like bank-op's (${ours})`);
    return { accessToken: ours };
  } finally {
    await Promise.all([dpopClient.close(), mtlsClient.close()]);
  }
}

/** The algorithm and binding of an access token, e.g. "PS256 cnf:x5t#S256". */
function shapeOf(token: string): string {
  const cnf = decodeJwt(token).cnf as Record<string, string> | undefined;
  return `${decodeProtectedHeader(token).alg} cnf:${Object.keys(cnf ?? {}).join(',')}`;
}

serveRequests(
  {},
  {
    prepare,
    aim,
    load: async ({
      target,
      durationMs,
      inFlight,
    }: {
      target: Target;
      durationMs: number;
      inFlight: number;
    }) => {
      const send = targets[target];
      if (!send) throw new Error(`no target ${target}: call aim first`);
      return driveFor(durationMs, inFlight, send);
    },
    journeys: async ({ durationMs, inFlight }: { durationMs: number; inFlight: number }) => {
      const client = journeyClient;
      if (!client) throw new Error('call prepare first');
      return driveFor(durationMs, inFlight, async () => {
        await runFlowOnce(client, demoCustomer());
      });
    },
  },
);
