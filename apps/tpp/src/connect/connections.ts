// A learner's connection to the bank, start to finish: the composition root that builds each step from
// one set of dependencies. The steps live one per module (connect-start, connect-callback, account-reads,
// payments, disconnect); one x-fapi-interaction-id per connection ties every message together in the trace.
import { type AccountReads, createAccountReads } from './account-reads.js';
import { createAuthorize } from './authorize.js';
import { type CompleteConnection, createCompleteConnection } from './connect-callback.js';
import { createStartConnection, type StartConnection } from './connect-start.js';
import { type ConnectionDeps, createConnectionKit } from './connection-kit.js';
import { createConnectionTokens } from './connection-tokens.js';
import { createConnectionView, type ViewConnection } from './connection-view.js';
import { createDecoupled, type Decoupled } from './decoupled.js';
import { createDisconnect, type Disconnect } from './disconnect.js';
import { createPayments, type Payments } from './payments.js';

export type { AccountReads } from './account-reads.js';
export type { CallbackOutcome } from './connect-callback.js';
export type { ConnectionDeps, Customer } from './connection-kit.js';
export type { DisconnectOutcome } from './disconnect.js';
export { initiationFor } from './payments.js';

export interface ConnectionService extends AccountReads {
  start: StartConnection;
  complete: CompleteConnection;
  view: ViewConnection;
  startPayment: Payments['startPayment'];
  refreshPayment: Payments['refreshPayment'];
  resubmitPayment: Payments['resubmitPayment'];
  disconnect: Disconnect;
  /** Decoupled authentication (FAPI-CIBA): connecting with no redirect, the customer on the bank app. */
  decoupled: Decoupled;
}

export function createConnectionService(deps: ConnectionDeps): ConnectionService {
  const kit = createConnectionKit(deps);
  const tokens = createConnectionTokens(kit);
  const view = createConnectionView(deps.store);
  const authorize = createAuthorize(kit);
  const payments = createPayments(kit, tokens, authorize);
  return {
    view,
    start: createStartConnection(kit, tokens, authorize, view),
    complete: createCompleteConnection(kit, payments.completePayment),
    ...createAccountReads(kit, tokens),
    startPayment: payments.startPayment,
    refreshPayment: payments.refreshPayment,
    resubmitPayment: payments.resubmitPayment,
    disconnect: createDisconnect(kit, tokens, view),
    decoupled: createDecoupled(kit, tokens, { requests: deps.backchannelRequests }),
  };
}
