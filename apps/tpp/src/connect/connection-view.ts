// What the learner's browser sees of a connection and its payments: status, consent, token expiry,
// and the bank's error with its clause and fix. Never a token or a key.
import type { ConnectionView, PaymentView } from '../shared/api.js';
import type { Connection, ConnectionStore, Payment } from '../store/connections.js';
import { ACCOUNTS } from './connection-tokens.js';
import { PROFILES } from './profiles.js';

export function paymentView(payment: Payment): PaymentView {
  return {
    id: payment.id,
    status: payment.status,
    request: payment.request,
    consentId: payment.consentId,
    domesticPaymentId: payment.domesticPaymentId,
    bankStatus: payment.bankStatus,
    error: payment.error,
    createdAt: payment.createdAt,
    updatedAt: payment.updatedAt,
  };
}

export type ViewConnection = (connection: Connection) => Promise<ConnectionView>;

export function createConnectionView(store: ConnectionStore): ViewConnection {
  return async function view(connection) {
    const [token, payments] = await Promise.all([
      store.token(connection.id, ACCOUNTS),
      store.payments(connection.id),
    ]);
    return {
      id: connection.id,
      profile: connection.profile,
      profileTitle: PROFILES[connection.profile].title,
      clientAuth: connection.clientAuth,
      ...(connection.requestObjectEncryption
        ? { requestObjectEncryption: connection.requestObjectEncryption }
        : {}),
      ...(connection.idTokenEncryption ? { idTokenEncryption: connection.idTokenEncryption } : {}),
      ...(connection.jarmEncryption ? { jarmEncryption: connection.jarmEncryption } : {}),
      clientId: connection.clientId,
      interactionId: connection.interactionId,
      status: connection.status,
      consentId: connection.consentId,
      ...(connection.authorizationDetails ? { authorizationDetails: connection.authorizationDetails } : {}),
      createdAt: connection.createdAt,
      updatedAt: connection.updatedAt,
      error: connection.error,
      accessTokenExpiresAt: token?.expiresAt ? new Date(token.expiresAt * 1000).toISOString() : undefined,
      sharedAccounts: connection.sharedAccounts,
      payments: payments.map(paymentView),
    };
  };
}
