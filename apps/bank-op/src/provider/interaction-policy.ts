// Which customer interactions an authorization needs (oidc-provider's interaction policy): the default
// login and consent prompts, and one more login check. A payment is authorised with strong customer
// authentication of its own, even when the customer already has a session at the bank (PSD2 RTS Art. 4
// and Art. 5 dynamic linking; UK OB: each payment consent is authorised with SCA), so the passcode can
// be linked to that payment's amount and payee. Account access keeps reusing the session.
import type { BankStore } from '@fapi-sandbox/bank-domain';
import { type Configuration, interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { isPaymentAuthorization } from './intent.js';

export const PAYMENT_SCA_CHECK = 'payment_requires_sca';

export function interactionPrompts(bank: BankStore): NonNullable<Configuration['interactions']>['policy'] {
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(
    new interactionPolicy.Check(
      PAYMENT_SCA_CHECK,
      'Each payment is authorised with strong customer authentication (PSD2 RTS Art. 4, Art. 5)',
      'login_required',
      async (ctx: KoaContextWithOIDC) => {
        const { params, result } = ctx.oidc;
        const payment = await isPaymentAuthorization(bank, {
          scope: params?.scope as string | undefined,
          claims: params?.claims,
        });
        // A sign-in completed in this very authorization (its interaction result) is the fresh one.
        return payment && !result?.login
          ? interactionPolicy.Check.REQUEST_PROMPT
          : interactionPolicy.Check.NO_NEED_TO_PROMPT;
      },
    ),
  );
  return policy;
}
