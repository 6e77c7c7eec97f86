// Pay: payee, amount and reference → a payment consent at the bank → the customer authorises it there →
// back here, Moneywise submits it with an idempotency key and shows the bank's status and the new balance.
import { type FormEvent, useState } from 'react';
import type {
  ApiError,
  ConnectionView,
  PaymentAuthorization,
  PaymentRequest,
  PaymentView,
  ResubmitPaymentResponse,
  StartPaymentResponse,
} from '../../shared/api.js';
import { apiRequest, asApiError } from '../api.js';
import { type Choice, ChoiceGroup } from '../components/ChoiceGroup.js';
import { ErrorNotice } from '../components/ErrorNotice.js';
import { creditorAccount, formatMoney } from '../components/format.js';
import { useResource } from '../components/useResource.js';
import { Link, useRouter } from '../router.js';

const EMPTY: PaymentRequest = { payeeName: '', sortCode: '', accountNumber: '', amount: '', reference: '' };
type PaymentField = Exclude<keyof PaymentRequest, 'authorization'>;

const AUTHORIZATIONS: readonly Choice<PaymentAuthorization>[] = [
  {
    value: 'intent',
    title: 'UK intent (consent created at the bank API)',
    summary:
      'Moneywise creates a payment consent at the bank API, then names its id in the authorization request.',
    clause: 'UK OB Payment Initiation API v3.1',
  },
  {
    value: 'authorization-details',
    title: 'Rich authorization request (details in the PAR)',
    summary:
      'The payment itself travels in the pushed request as authorization_details; nothing is created at the API first.',
    clause: 'RFC 9396 §2',
  },
];

export function PaymentResult({ payment }: { payment: PaymentView }) {
  const settled = payment.status === 'submitted';
  return (
    <div
      className={`card payment-result ${settled ? 'ok' : payment.status === 'failed' ? 'failed' : ''}`}
      data-testid="payment-result"
      data-status={payment.status}
      data-bank-status={payment.bankStatus ?? ''}
      aria-live="polite"
    >
      <h2>
        {settled ? 'Payment sent' : payment.status === 'failed' ? 'Payment not made' : 'Waiting for the bank'}
      </h2>
      <p className="amount">{formatMoney(payment.request.amount, 'GBP')}</p>
      <p>
        to {payment.request.payeeName} · reference “{payment.request.reference}”
      </p>
      <p data-testid="payment-creditor">
        {creditorAccount(payment.request.sortCode, payment.request.accountNumber) ??
          `${payment.request.sortCode} ${payment.request.accountNumber}`}
      </p>
      {payment.bankStatus ? (
        <p>
          Bank status: <strong data-testid="payment-bank-status">{payment.bankStatus}</strong>
        </p>
      ) : null}
      {payment.domesticPaymentId ? (
        <p className="muted">
          Payment id <code>{payment.domesticPaymentId}</code> ·{' '}
          {payment.consentId ? (
            <>
              consent <code>{payment.consentId}</code>
            </>
          ) : (
            'authorised by authorization_details (RFC 9396)'
          )}
        </p>
      ) : null}
      {payment.error ? <ErrorNotice error={payment.error} /> : null}
    </div>
  );
}

/**
 * UK OB R/W API v3.1 Idempotency, seen: the submitted payment's POST sent again with the same
 * x-idempotency-key, as a TPP whose submission timed out would, and what the bank answered.
 */
export function ResendPayment({ connectionId, payment }: { connectionId: string; payment: PaymentView }) {
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ResubmitPaymentResponse>();
  const [error, setError] = useState<ApiError>();
  const resend = async () => {
    setBusy(true);
    setOutcome(undefined);
    setError(undefined);
    try {
      setOutcome(
        await apiRequest<ResubmitPaymentResponse>(
          `/connections/${connectionId}/payments/${payment.id}/resubmit`,
          { method: 'POST' },
        ),
      );
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="resend-payment" data-testid="resend-payment">
      <button
        type="button"
        className="button"
        onClick={resend}
        disabled={busy}
        aria-describedby="resend-payment-why"
        data-testid="resend-payment-button"
      >
        {busy ? 'Sending it again…' : 'Send it again (same idempotency key)'}
      </button>
      <p id="resend-payment-why" className="hint">
        A TPP whose request timed out cannot tell whether the bank paid, so it sends the same request with the
        same x-idempotency-key: the bank must answer with the payment it already made.
      </p>
      <div aria-live="polite" data-testid="resend-payment-live">
        {outcome ? (
          <p
            className={`notice ${outcome.samePayment ? 'notice-ok' : 'notice-error'}`}
            data-testid="resend-payment-result"
            data-same-payment={String(outcome.samePayment)}
          >
            {outcome.message}
          </p>
        ) : null}
        {error ? <ErrorNotice error={error} title="The bank did not take the payment again" /> : null}
      </div>
    </div>
  );
}

export function PaymentForm({
  onSubmit,
  busy,
  offerAuthorizationDetails = false,
}: {
  onSubmit: (request: PaymentRequest) => void;
  busy: boolean;
  /** RFC 9396 is offered to FAPI 2.0 connections: the bank grants authorization_details to those only. */
  offerAuthorizationDetails?: boolean;
}) {
  const [form, setForm] = useState<PaymentRequest>(EMPTY);
  const [authorization, setAuthorization] = useState<PaymentAuthorization>('intent');
  const field = (name: PaymentField) => ({
    id: `payment-${name}`,
    name,
    value: form[name],
    onChange: (event: { target: { value: string } }) =>
      setForm((f) => ({ ...f, [name]: event.target.value })),
    required: true,
  });
  const creditor = creditorAccount(form.sortCode, form.accountNumber);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSubmit(offerAuthorizationDetails ? { ...form, authorization } : form);
  };
  return (
    <form
      className="card form"
      onSubmit={submit}
      data-testid="payment-form"
      aria-labelledby="payment-form-title"
    >
      <h2 id="payment-form-title">New payment</h2>
      <div className="field">
        <label htmlFor="payment-payeeName">Payee name</label>
        <input {...field('payeeName')} autoComplete="off" maxLength={70} />
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor="payment-sortCode">Sort code</label>
          <input
            {...field('sortCode')}
            inputMode="numeric"
            placeholder="40-40-04"
            aria-describedby="sort-code-hint"
          />
          <p id="sort-code-hint" className="hint">
            Six digits
          </p>
        </div>
        <div className="field">
          <label htmlFor="payment-accountNumber">Account number</label>
          <input
            {...field('accountNumber')}
            inputMode="numeric"
            maxLength={8}
            aria-describedby="account-number-hint"
          />
          <p id="account-number-hint" className="hint">
            Eight digits
          </p>
        </div>
      </div>
      <p className="hint" data-testid="payment-creditor" aria-live="polite">
        {creditor
          ? `Pays ${creditor}`
          : 'A UK account: a six-digit sort code and an eight-digit account number.'}
      </p>
      <div className="field-row">
        <div className="field">
          <label htmlFor="payment-amount">Amount (£)</label>
          <input {...field('amount')} inputMode="decimal" placeholder="12.50" />
        </div>
        <div className="field">
          <label htmlFor="payment-reference">Reference</label>
          <input {...field('reference')} maxLength={18} />
        </div>
      </div>
      {offerAuthorizationDetails ? (
        <ChoiceGroup
          legend="How the bank asks you to approve it"
          name="authorization"
          choices={AUTHORIZATIONS}
          value={authorization}
          onChange={setAuthorization}
          compact
          testId="payment-authorization"
          inputTestIdPrefix="payment-authorization"
        />
      ) : null}
      <div className="actions">
        <button type="submit" className="button primary" disabled={busy} data-testid="payment-submit">
          {busy
            ? authorization === 'intent' || !offerAuthorizationDetails
              ? 'Creating the payment consent…'
              : 'Pushing the payment to the bank…'
            : 'Continue to the bank'}
        </button>
      </div>
    </form>
  );
}

export function PayPage({
  id,
  redirect = (url: string) => window.location.assign(url),
}: {
  id: string;
  redirect?: (url: string) => void;
}) {
  const { search } = useRouter();
  const paymentId = search.get('payment');
  const payment = useResource<PaymentView>(
    paymentId ? `/connections/${id}/payments/${paymentId}` : undefined,
  );
  const connection = useResource<ConnectionView>(`/connections/${id}`);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();

  const start = async (request: PaymentRequest) => {
    setBusy(true);
    setError(undefined);
    try {
      const started = await apiRequest<StartPaymentResponse>(`/connections/${id}/payments`, {
        json: request,
      });
      redirect(started.authorizationUrl);
    } catch (err) {
      setError(asApiError(err));
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="pay-title">
      <h1 id="pay-title">Make a payment</h1>
      <p className="lead">
        Moneywise asks the bank to set up exactly this payment, then sends you to the bank to approve it.
        Nothing is paid until you do.
      </p>
      {payment.error ? <ErrorNotice error={payment.error} /> : null}
      {payment.data ? <PaymentResult payment={payment.data} /> : null}
      {payment.data?.status === 'submitted' ? (
        <ResendPayment connectionId={id} payment={payment.data} />
      ) : null}
      {paymentId && payment.data ? (
        <div className="actions">
          <Link to={`/connections/${id}`} className="button primary">
            See the new balance
          </Link>
          <Link to={`/connections/${id}/inspector`} className="button">
            Open the flow inspector
          </Link>
          <Link to={`/connections/${id}/pay`} className="button">
            Another payment
          </Link>
        </div>
      ) : (
        <PaymentForm
          onSubmit={start}
          busy={busy}
          offerAuthorizationDetails={connection.data?.profile.startsWith('fapi2') ?? false}
        />
      )}
      {error ? <ErrorNotice error={error} title="The payment could not be started" /> : null}
    </section>
  );
}
