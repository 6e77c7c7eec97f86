// Where the attack lab meets the TPP's trace: which of Moneywise's steps is the message each attack bends
// (the inspector offers an attack beside that step), and the TPP step a message of an attack run is, so
// the run reads in the same words as the connection it attacks.
import type { AttackMessage } from '@fapi-sandbox/fapi-client';
import { DPOP_NONCE_RETRY, STEPS, type StepDescription, type StepKind } from '../trace/steps.js';

/** The one table: each attacked message, and the TPP steps that send (or receive) it. */
export const ATTACKED_STEPS: Record<AttackMessage, readonly StepKind[]> = {
  directory: ['ssa', 'participants'],
  'token:client_credentials': ['token-client-credentials'],
  'api:account-access-consents': ['consent-create'],
  par: ['par'],
  'authorization-request': ['authorize-redirect'],
  'authorization-response': ['callback', 'response-checks'],
  'token:authorization_code': ['token-code'],
  'api:accounts': ['accounts', 'balances', 'transactions'],
  'token:refresh_token': ['refresh'],
  payment: ['payment-consent', 'payment-authorised'],
};

/** The titles the inspector lists each attacked message under, a DPoP nonce retry of it included. */
export function attackedStepTitles(): Record<AttackMessage, string[]> {
  return Object.fromEntries(
    Object.entries(ATTACKED_STEPS).map(([message, kinds]) => [
      message,
      kinds.flatMap((kind) => {
        const described: StepDescription = STEPS[kind];
        const titles = [described.title, ...(described.checksTitle ? [described.checksTitle] : [])];
        return [...titles, ...titles.map((title) => `${DPOP_NONCE_RETRY.title}: ${title}`)];
      }),
    ]),
  ) as Record<AttackMessage, string[]>;
}

/** The flow client's step names (fapi-client flow-client.ts STEP) as the TPP's steps. */
const ENGINE_STEPS: Record<string, StepKind> = {
  participants: 'participants',
  ssa: 'ssa',
  'ssa-check': 'directory-jwks',
  discovery: 'discovery',
  registration: 'dcr',
  'token:client_credentials': 'token-client-credentials',
  par: 'par',
  'token:authorization_code': 'token-code',
  'token:refresh_token': 'refresh',
  revoke: 'revoke',
};

/** A bank API call's TPP step, by its method and UK OB resource. */
function apiStep(method: string, path: string): StepKind | undefined {
  if (path.endsWith('/account-access-consents')) return 'consent-create';
  if (path.includes('/account-access-consents/')) return method === 'DELETE' ? 'consent-delete' : undefined;
  if (path.endsWith('/balances')) return 'balances';
  if (path.endsWith('/transactions')) return 'transactions';
  if (path.includes('/accounts')) return 'accounts';
  if (path.includes('/domestic-payment-consents')) return 'payment-consent';
  if (path.includes('/domestic-payments')) return method === 'GET' ? 'payment-status' : 'payment-authorised';
  return undefined;
}

/** The TPP step an exchange of an attack run is, or undefined when the TPP has no step like it. */
export function tppStepOf(exchange: {
  step: string;
  method: string;
  url: string;
}): StepDescription | undefined {
  const path = URL.canParse(exchange.url) ? new URL(exchange.url).pathname : exchange.url;
  if (exchange.step === 'discovery' && !path.includes('.well-known')) return STEPS['op-jwks'];
  const kind = exchange.step === 'api' ? apiStep(exchange.method, path) : ENGINE_STEPS[exchange.step];
  return kind ? STEPS[kind] : undefined;
}
