// The decoupled authentication requests Moneywise has sent (FAPI-CIBA), one per connection: what the bank
// acknowledged (auth_req_id, interval, expiry; CIBA §7.3), what the customer must see (the binding
// message), and for ping the client_notification_token the bank must present (CIBA §10.2). Rows only;
// the rules live in connect/decoupled*.ts.
import type { BackchannelRequestsTable, Db } from './database.js';

export interface BackchannelRequest {
  connectionId: string;
  authReqId: string;
  /** The customer's username at the bank (CIBA §7.1 login_hint). */
  loginHint: string;
  bindingMessage: string;
  /** Ping only: the Bearer token the bank's ping must carry. Never leaves the back end. */
  notificationToken?: string;
  /** The seconds the bank asks Moneywise to wait between polls. */
  intervalSeconds: number;
  /** Epoch seconds: when the bank forgets the request (expires_in). */
  expiresAt: number;
  /** Epoch seconds: when the bank's ping arrived. */
  pingedAt?: number;
  createdAt: number;
}

const fromRow = (row: BackchannelRequestsTable): BackchannelRequest => ({
  connectionId: row.connection_id,
  authReqId: row.auth_req_id,
  loginHint: row.login_hint,
  bindingMessage: row.binding_message,
  ...(row.notification_token ? { notificationToken: row.notification_token } : {}),
  intervalSeconds: row.interval_seconds,
  expiresAt: row.expires_at,
  ...(row.pinged_at !== null ? { pingedAt: row.pinged_at } : {}),
  createdAt: row.created_at,
});

export interface BackchannelRequestStore {
  save(request: BackchannelRequest): Promise<void>;
  forConnection(connectionId: string): Promise<BackchannelRequest | undefined>;
  byAuthReqId(authReqId: string): Promise<BackchannelRequest | undefined>;
  /** Notes the ping; false when one was already noted (a ping is acted on once, by one TPP process). */
  notePing(authReqId: string, at: number): Promise<boolean>;
}

export function createBackchannelRequestStore(db: Db): BackchannelRequestStore {
  const select = db.selectFrom('backchannel_requests').selectAll();
  return {
    async save(request) {
      await db
        .insertInto('backchannel_requests')
        .values({
          connection_id: request.connectionId,
          auth_req_id: request.authReqId,
          login_hint: request.loginHint,
          binding_message: request.bindingMessage,
          notification_token: request.notificationToken ?? null,
          interval_seconds: request.intervalSeconds,
          expires_at: request.expiresAt,
          pinged_at: null,
          created_at: request.createdAt,
        })
        .execute();
    },
    async forConnection(connectionId) {
      const row = await select.where('connection_id', '=', connectionId).executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },
    async byAuthReqId(authReqId) {
      const row = await select.where('auth_req_id', '=', authReqId).executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },
    async notePing(authReqId, at) {
      const result = await db
        .updateTable('backchannel_requests')
        .set({ pinged_at: at })
        .where('auth_req_id', '=', authReqId)
        .where('pinged_at', 'is', null)
        .executeTakeFirst();
      return result.numUpdatedRows === 1n;
    },
  };
}
