// The decoupled authentication requests Moneywise has sent (FAPI-CIBA), one per connection: what the bank
// acknowledged (auth_req_id, interval, expiry; CIBA §7.3), what the customer must see (the binding
// message), and for ping the client_notification_token the bank must present (CIBA §10.2). Rows only;
// the rules live in connect/decoupled*.ts.
import type { Db } from './database.js';

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

interface Row {
  connection_id: string;
  auth_req_id: string;
  login_hint: string;
  binding_message: string;
  notification_token: string | null;
  interval_seconds: number;
  expires_at: number;
  pinged_at: number | null;
  created_at: number;
}

const fromRow = (row: Row): BackchannelRequest => ({
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
  save(request: BackchannelRequest): void;
  forConnection(connectionId: string): BackchannelRequest | undefined;
  byAuthReqId(authReqId: string): BackchannelRequest | undefined;
  /** Notes the ping; false when one was already noted (a ping is acted on once). */
  notePing(authReqId: string, at: number): boolean;
}

export function createBackchannelRequestStore(db: Db): BackchannelRequestStore {
  const insert = db.prepare(`INSERT INTO backchannel_requests
    (connection_id, auth_req_id, login_hint, binding_message, notification_token, interval_seconds, expires_at, pinged_at, created_at)
    VALUES (@connectionId, @authReqId, @loginHint, @bindingMessage, @notificationToken, @intervalSeconds, @expiresAt, NULL, @createdAt)`);
  const byConnection = db.prepare('SELECT * FROM backchannel_requests WHERE connection_id = ?');
  const byId = db.prepare('SELECT * FROM backchannel_requests WHERE auth_req_id = ?');
  const ping = db.prepare(
    'UPDATE backchannel_requests SET pinged_at = ? WHERE auth_req_id = ? AND pinged_at IS NULL',
  );
  return {
    save(request) {
      insert.run({ ...request, notificationToken: request.notificationToken ?? null });
    },
    forConnection(connectionId) {
      const row = byConnection.get(connectionId) as Row | undefined;
      return row ? fromRow(row) : undefined;
    },
    byAuthReqId(authReqId) {
      const row = byId.get(authReqId) as Row | undefined;
      return row ? fromRow(row) : undefined;
    },
    notePing: (authReqId, at) => ping.run(at, authReqId).changes === 1,
  };
}
