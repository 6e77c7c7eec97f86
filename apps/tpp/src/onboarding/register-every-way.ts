// The registration step of onboarding: one client per way of connecting (profile × client
// authentication), each stored one reused when the bank still knows it and it was made with the metadata
// Moneywise asks for now (RFC 7592 §2.1), otherwise registered again (RFC 7591 §3.1).
import { CLIENT_AUTH_METHODS, type ClientAuthMethod, PROFILES, type ProfileId } from '../connect/profiles.js';
import type { RegistrationView } from '../shared/api.js';
import type { Registration, RegistrationStore } from '../store/registrations.js';
import type { CallContext } from './onboarding.js';
import type { Registrar } from './registration.js';

/** Every (profile, client authentication) pair Moneywise registers. */
export const REGISTRATION_COMBINATIONS: [ProfileId, ClientAuthMethod][] = (
  Object.keys(PROFILES) as ProfileId[]
).flatMap((profile) =>
  (Object.keys(CLIENT_AUTH_METHODS) as ClientAuthMethod[]).map(
    (auth) => [profile, auth] as [ProfileId, ClientAuthMethod],
  ),
);

export async function registerEveryWay(
  deps: {
    registrations: RegistrationStore;
    registrar: Registrar;
    register(profile: ProfileId, clientAuth: ClientAuthMethod, context: CallContext): Promise<Registration>;
  },
  context: CallContext,
): Promise<{ registrations: RegistrationView[]; detail: string }> {
  const registrations: RegistrationView[] = [];
  for (const [profile, clientAuth] of REGISTRATION_COMBINATIONS) {
    const stored = await deps.registrations.get(profile, clientAuth);
    let outcome: RegistrationView['outcome'];
    let registration: Registration;
    if (stored && (await deps.registrar.check(stored, context)) === 'known') {
      registration = stored;
      outcome = 'reused';
    } else {
      registration = await deps.register(profile, clientAuth, context);
      outcome = stored ? 'reregistered' : 'registered';
    }
    registrations.push({
      profile,
      clientAuth,
      clientId: registration.clientId,
      registeredAt: registration.registeredAt,
      outcome,
    });
  }
  const counts = registrations.reduce<Record<string, number>>((acc, r) => {
    acc[r.outcome ?? 'registered'] = (acc[r.outcome ?? 'registered'] ?? 0) + 1;
    return acc;
  }, {});
  const detail = Object.entries(counts)
    .map(([outcome, n]) => `${n} ${outcome}`)
    .join(', ');
  return { registrations, detail };
}
