// Starting a connection: register with the bank if need be, create the account-access consent
// (UK OB Account and Transaction API v3.1) with a client-credentials token, and push the request (RFC 9126).
// Or, by a rich authorization request (RFC 9396), push the account access itself as authorization_details.
import { randomUUID } from 'node:crypto';
import { type AccountAction, accountInformationDetail } from '@fapi-sandbox/fapi-client';
import type { ConnectionView } from '../shared/api.js';
import type { Connection } from '../store/connections.js';
import type { Authorize } from './authorize.js';
import { newDpopPrivateJwk } from './bound-client.js';
import { type ConnectionKit, type Customer, toApiError } from './connection-kit.js';
import type { ConnectionTokens } from './connection-tokens.js';
import type { ViewConnection } from './connection-view.js';
import { type ClientAuthMethod, PROFILES, type ProfileId, registrationOptions } from './profiles.js';

/** The key management algorithm Moneywise encrypts request objects with (the bank also offers ECDH-ES). */
const REQUEST_OBJECT_ENCRYPTION = 'RSA-OAEP-256';
/** The key management algorithm the bank encrypts ID tokens to Moneywise with (its key is RSA; OIDC Core §10.2). */
const ID_TOKEN_ENCRYPTION = 'RSA-OAEP-256';
/** The key management algorithm the bank encrypts JARM responses to Moneywise with (JARM §2.2). */
const JARM_ENCRYPTION = 'RSA-OAEP-256';

export type StartConnection = (input: {
  customer: Customer;
  profile: ProfileId;
  clientAuth: ClientAuthMethod;
  /** RFC 9101 §6.1: sign, then encrypt the request object to the bank's published key. */
  encryptRequestObject?: boolean;
  /** OIDC Core §10.2: the bank signs the ID token, then encrypts it to Moneywise's key (its own registration). */
  encryptIdToken?: boolean;
  /** JARM §2.2: the bank signs its JARM response, then encrypts it to Moneywise's key (JARM profiles only). */
  encryptJarm?: boolean;
  /** RFC 9396 §2: account access asked for by these account_information actions, with no intent (FAPI 2.0). */
  accountActions?: readonly AccountAction[];
}) => Promise<{ connection: ConnectionView; authorizationUrl: string }>;

export function createStartConnection(
  { deps, context, apiContext, withRegisteredClient }: ConnectionKit,
  { clientCredentialsToken }: ConnectionTokens,
  authorize: Authorize,
  view: ViewConnection,
): StartConnection {
  const { store, onboarding } = deps;
  return async function start({
    customer,
    profile,
    clientAuth,
    encryptRequestObject,
    encryptIdToken,
    encryptJarm,
    accountActions,
  }) {
    const now = new Date().toISOString();
    let connection: Connection = {
      id: randomUUID(),
      sessionId: customer.sessionId,
      profile,
      clientAuth,
      interactionId: randomUUID(),
      status: 'authorising',
      dpopPrivateJwk: PROFILES[profile].senderConstraint === 'dpop' ? await newDpopPrivateJwk() : undefined,
      ...(encryptRequestObject ? { requestObjectEncryption: REQUEST_OBJECT_ENCRYPTION } : {}),
      ...(encryptIdToken ? { idTokenEncryption: ID_TOKEN_ENCRYPTION } : {}),
      ...(encryptJarm ? { jarmEncryption: JARM_ENCRYPTION } : {}),
      ...(accountActions ? { authorizationDetails: [accountInformationDetail(accountActions)] } : {}),
      createdAt: now,
      updatedAt: now,
    };
    await store.create(connection);
    try {
      const registration = await onboarding.ensureRegistration(
        profile,
        clientAuth,
        context(connection),
        registrationOptions(connection),
      );
      connection = await store.update(connection.id, { clientId: registration.clientId });
      const outcome = await withRegisteredClient(connection, async (client) => {
        if (connection.authorizationDetails) {
          // RFC 9396: nothing is created at the bank API; the account access travels in the pushed request.
          return authorize(connection, client, {
            scope: 'openid accounts',
            authorizationDetails: connection.authorizationDetails,
            purpose: 'accounts',
            sessionId: customer.sessionId,
          });
        }
        const ccToken = await clientCredentialsToken(connection, client, 'accounts');
        const consent = await deps.bankApi.createAccountAccessConsent(
          client,
          ccToken,
          apiContext(connection, customer),
        );
        await store.update(connection.id, { consentId: consent.consentId });
        const authorizationUrl = await authorize(connection, client, {
          scope: 'openid accounts',
          consentId: consent.consentId,
          purpose: 'accounts',
          sessionId: customer.sessionId,
        });
        return authorizationUrl;
      });
      return { connection: await view((await store.get(connection.id))!), authorizationUrl: outcome.result };
    } catch (err) {
      await store.transition(connection.id, { from: ['authorising'], to: 'failed', error: toApiError(err) });
      throw err;
    }
  };
}
