// The sign-in page and its POST /interaction/:uid/login: strong customer authentication (PSD2 RTS
// Art. 4: password and passcode), for a payment with a code linked to its amount and payee (Art. 5).
import type { Request, Response } from 'express';
import { SCA_ACR } from '../provider/intent.js';
import type { Details, InteractionContext } from './context.js';
import { formValue } from './form-fields.js';
import { loginPage } from './login-page.js';
import type { PaymentToConfirm } from './passcode.js';
import { rejectNamedConsent, signInFor } from './requested-consent.js';
import { signedInAs } from './sign-out.js';
import { noteSignIn } from './trace-notes.js';

export async function renderSignIn(
  ctx: InteractionContext,
  res: Response,
  details: Details,
  signIn: { payment?: PaymentToConfirm },
  status = 200,
  error?: string,
  username?: string,
): Promise<void> {
  const [tpp, signedIn] = await Promise.all([ctx.tppOf(details), signedInAs(ctx, details)]);
  ctx.send(
    res,
    status,
    loginPage({
      bankName: ctx.bankName,
      action: `/interaction/${details.uid}/login`,
      csrfToken: ctx.formToken.tokenFor(details.uid),
      clientId: String(details.params.client_id),
      clientName: tpp.name,
      demoCredentials: ctx.bank.customers.demoCredentials(),
      passcode: ctx.passcodes.codeFor(details.uid, signIn.payment),
      payment: signIn.payment,
      signedIn,
      ...(error ? { error } : {}),
      ...(username ? { username } : {}),
    }),
  );
}

export function submitSignIn(ctx: InteractionContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const details = await ctx.provider.interactionDetails(req, res);
    ctx.formToken.assert(req, res, details.uid);
    if (formValue(req.body, 'action') === 'cancel') {
      noteSignIn(res, 'cancelled', undefined);
      await rejectNamedConsent(ctx, details);
      await ctx.refuse(req, res, 'access_denied', 'The customer cancelled the sign-in');
      return;
    }
    const signIn = await signInFor(ctx, req, res, details);
    if (!signIn) return;
    const username = formValue(req.body, 'username') ?? '';
    const customer = await ctx.bank.customers.authenticate(username, formValue(req.body, 'password') ?? '');
    // RTS Art. 5(1)(b): a payment's code is valid for this interaction, amount and payee only.
    const passcodeOk = ctx.passcodes.matches(formValue(req.body, 'otp') ?? '', details.uid, signIn.payment);
    if (!customer || !passcodeOk) {
      noteSignIn(res, 'refused', signIn.payment);
      await renderSignIn(
        ctx,
        res,
        details,
        signIn,
        401,
        'The username, password or passcode is not right. Check them and try again.',
        username,
      );
      return;
    }
    // PSD2 RTS Art. 4: knowledge (password) and possession (the passcode on the customer's phone).
    noteSignIn(res, { customerId: customer.customerId }, signIn.payment);
    await ctx.finish(
      req,
      res,
      { login: { accountId: customer.customerId, acr: SCA_ACR, amr: ['pwd', 'otp'], remember: false } },
      false,
    );
  };
}
