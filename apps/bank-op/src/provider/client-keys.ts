// Makes oidc-provider fetch a client's jwks_uri again when its copy lacks a key the client signs with.
// oidc-provider refetches on an unknown kid only once its copy is older than 60 s (lib/helpers/jwt.js
// verify, lib/models/client.js ClientKeyStore.refresh); OIDC Core §10.1.1 has the verifier fetch the
// JWKS again as soon as a kid it does not know appears, which is what a rotated key needs.

/** oidc-provider's per-client key store: the client's jwks_uri keys, fetched and kept until freshUntil. */
interface ClientKeyStore extends Iterable<{ kid?: string }> {
  freshUntil?: number;
  refresh(): Promise<void>;
}

/** oidc-provider's Client as bank-op's gates read it: found once per request (Client.find) and passed on. */
export interface RegisteredClient {
  software_id?: unknown;
  org_id?: unknown;
  jwksUri?: unknown;
}

/** Fetches `client`'s jwks_uri again when its copy lacks `kid`. */
export async function refreshClientKeys(client: RegisteredClient, kid: string): Promise<void> {
  if (typeof client.jwksUri !== 'string') return;
  const keystore = (client as { asymmetricKeyStore: ClientKeyStore }).asymmetricKeyStore;
  if ([...keystore].some((key) => key.kid === kid)) return;
  // Marked stale, refresh() fetches the jwks_uri now and replaces the keys (old ones go with it).
  keystore.freshUntil = undefined;
  // A failed fetch is oidc-provider's to report: it then refuses the unknown kid as invalid_client.
  await keystore.refresh().catch(() => undefined);
}
