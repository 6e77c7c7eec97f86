// Moneywise's registrations at the bank: the engine registers (RFC 7591 §3.1, over mutual TLS) and reads
// a registration back (RFC 7592 §2.1); the TPP stores them and applies the "register again if the bank
// forgot the client, or if it was registered with other metadata" rule.
import {
  clientMetadata,
  metadataVersion,
  readRegistration,
  registerClient,
  registrationStatus,
  requestedMetadata,
} from '@fapi-sandbox/fapi-client';
import type { Dispatcher } from 'undici';
import { PING_PATH } from '../connect/decoupled-ping.js';
import { type TppEngine, tppStep } from '../connect/engine.js';
import {
  type ClientAuthMethod,
  type ProfileId,
  type RegistrationOptions,
  registeredProfile,
} from '../connect/profiles.js';
import { PartyError } from '../http/party-error.js';
import type { Registration, RegistrationStore } from '../store/registrations.js';
import { registrationStep, STEPS } from '../trace/steps.js';
import type { TraceLog } from '../trace/trace-log.js';
import type { BankMetadata } from './bank-metadata.js';

export interface RegistrationContext {
  bank: BankMetadata;
  softwareStatement: string;
  /** The software's jwks_uri from the SSA (`software_jwks_uri`). */
  jwksUri: string;
  interactionId: string;
  connectionId?: string;
}

export interface Registrar {
  register(
    profile: ProfileId,
    clientAuth: ClientAuthMethod,
    context: RegistrationContext,
    options?: RegistrationOptions,
  ): Promise<Registration>;
  /**
   * 'outdated' when the stored registration was made with other metadata than Moneywise asks for now
   * (nothing is sent); otherwise 'known' when the bank answers the registration read, 'forgotten' when
   * it says the client is unknown.
   */
  check(
    registration: Registration,
    context: Pick<RegistrationContext, 'interactionId' | 'connectionId'>,
  ): Promise<RegistrationCheck>;
}

export type RegistrationCheck = 'known' | 'forgotten' | 'outdated';

export function createRegistrar(deps: {
  engine: TppEngine;
  trace: TraceLog;
  store: RegistrationStore;
  transportAgent: Dispatcher;
  redirectUri: string;
  clientName: string;
}): Registrar {
  const { store } = deps;
  const { engine } = deps;
  const requested = (profile: ProfileId, clientAuth: ClientAuthMethod, options: RegistrationOptions = {}) =>
    requestedMetadata({
      profile: registeredProfile(profile, options),
      clientAuth,
      redirectUri: deps.redirectUri,
      clientName: deps.clientName,
      // CIBA §4: the bank pings Moneywise's own origin, the one its software statement names.
      ...(options.ciba
        ? {
            backchannel: {
              deliveryMode: options.ciba,
              notificationEndpoint: new URL(PING_PATH, deps.redirectUri).href,
            },
          }
        : {}),
    });
  return {
    async register(profileId, clientAuth, context, options = {}) {
      const chosen = requested(profileId, clientAuth, options);
      const metadata = clientMetadata({
        requested: chosen,
        softwareStatement: context.softwareStatement,
        jwksUri: context.jwksUri,
      });
      // RFC 7591 §3.1: POST the metadata as JSON; the bank's mTLS alias sees the transport certificate.
      const step = registrationStep(profileId, clientAuth);
      const response = await registerClient(engine, tppStep(step, context), {
        registrationEndpoint: context.bank.endpoint('registration_endpoint', true),
        transport: deps.transportAgent,
        metadata,
      });
      if (!response.ok) throw PartyError.fromResponse('bank-op', step.title, response);
      const body = response.body as Record<string, unknown>;
      // RFC 7591 §3.2.1: a successful answer carries the client_id.
      if (typeof body?.client_id !== 'string') {
        throw new PartyError({
          party: 'bank-op',
          step: step.title,
          upstreamStatus: response.status,
          error: 'invalid_client_metadata',
          description: 'The registration response has no client_id',
          clause: 'RFC 7591 §3.2.1',
        });
      }
      const { registration_access_token: token, registration_client_uri: uri, ...rest } = body;
      const registration: Registration = {
        profile: profileId,
        clientAuth,
        ...(options.idTokenEncryption ? { idTokenEncryption: options.idTokenEncryption } : {}),
        ...(options.jarmEncryption ? { jarmEncryption: options.jarmEncryption } : {}),
        ...(options.ciba ? { ciba: options.ciba } : {}),
        clientId: body.client_id,
        registrationAccessToken: typeof token === 'string' ? token : undefined,
        registrationClientUri: typeof uri === 'string' ? uri : undefined,
        metadata: rest,
        metadataVersion: metadataVersion(chosen),
        registeredAt: new Date().toISOString(),
      };
      await store.save(registration);
      return registration;
    },

    async check(registration, context) {
      const current = metadataVersion(requested(registration.profile, registration.clientAuth, registration));
      const sameMetadata = registration.metadataVersion === current;
      deps.trace.recordChecks({
        interactionId: context.interactionId,
        connectionId: context.connectionId,
        step: 'dcr-version',
        checks: [
          {
            name: `Stored client ${registration.clientId} was registered with the metadata Moneywise asks for now`,
            passed: sameMetadata,
            clause: 'RFC 7591 §2, RFC 7592 §2',
            detail: sameMetadata
              ? `metadata version ${current}`
              : `stored version ${registration.metadataVersion ?? 'none (registered before versions were kept)'}; current ${current}: registering again`,
          },
        ],
      });
      if (!sameMetadata) return 'outdated';
      if (!registration.registrationClientUri || !registration.registrationAccessToken) return 'known';
      const response = await readRegistration(engine, tppStep('dcr-read', context), {
        registrationClientUri: registration.registrationClientUri,
        registrationAccessToken: registration.registrationAccessToken,
        transport: deps.transportAgent,
      });
      const status = registrationStatus(response);
      if (status) return status;
      throw PartyError.fromResponse('bank-op', STEPS['dcr-read'].title, response);
    },
  };
}
