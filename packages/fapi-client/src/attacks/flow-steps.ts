// The parts of a connection an attack runs before the message it bends, each a flow-client step.
import type { FlowSteps } from './attack.js';

export const flowSteps: FlowSteps = {
  async consent(client) {
    return client.createAccountAccessConsent(await client.clientCredentialsToken('accounts'));
  },
  async authorize(client, customer) {
    const pending = await client.pushAuthorizationRequest(await flowSteps.consent(client));
    return { pending, landing: await client.customerAuthorizes(pending, customer) };
  },
  async code(client, customer) {
    const { pending, landing } = await flowSteps.authorize(client, customer);
    return { pending, code: await client.authorizationCode(landing, pending) };
  },
  async token(client, customer) {
    const { pending, code } = await flowSteps.code(client, customer);
    return client.exchangeCode(pending, code);
  },
};
