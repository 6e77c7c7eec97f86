// Client management with the registration access token (RFC 7592 §2), through the client engine
// (fapi-client) as the TPP runs it: read, update, delete one registration, each with the token given.
import {
  createExchange,
  deleteRegistration,
  readRegistration,
  updateRegistration,
} from '@fapi-sandbox/fapi-client';
import { fromExchange, type JsonResponse, type RegisteredClient, type TestTpp } from './tpp.js';

export interface RegistrationManagement {
  /** RFC 7592 §2.1. */
  read(token: string): Promise<JsonResponse>;
  /** RFC 7592 §2.2: the metadata sent again with its first redirect URI only (the SSA fetched afresh). */
  update(token: string): Promise<JsonResponse>;
  /** RFC 7592 §2.3. */
  remove(token: string): Promise<{ status: number }>;
}

export function managementOf(tpp: TestTpp, client: RegisteredClient): RegistrationManagement {
  const engine = { exchange: createExchange() };
  const step = { step: 'registration-management', clause: 'RFC 7592 §2' };
  const using = (token: string) => ({
    registrationClientUri: client.registrationClientUri,
    registrationAccessToken: token,
    transport: tpp.transport,
  });
  return {
    read: async (token) => fromExchange(await readRegistration(engine, step, using(token))),
    update: async (token) =>
      fromExchange(
        await updateRegistration(engine, step, {
          ...using(token),
          metadata: {
            client_id: client.clientId,
            software_statement: await tpp.ssa(),
            redirect_uris: [tpp.participant.redirectUris[0]],
            tls_client_certificate_bound_access_tokens: true,
          },
        }),
      ),
    remove: (token) => deleteRegistration(engine, step, using(token)),
  };
}
