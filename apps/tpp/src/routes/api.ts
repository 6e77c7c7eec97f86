// The JSON API the React app calls. It answers views (connections, accounts, timeline entries) and never
// a token or a key: those stay in the back end. Every bad input is a 400 with error and description.
import { ACCOUNT_ACTIONS } from '@fapi-sandbox/fapi-client';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import express, { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import { expireIfAbandoned } from '../connect/abandoned.js';
import type { ConnectionService, Customer } from '../connect/connections.js';
import { isClientAuthMethod, isProfileId, PROFILES } from '../connect/profiles.js';
import type { Onboarding } from '../onboarding/onboarding.js';
import type { ConnectionTrace } from '../shared/timeline.js';
import type { Connection, ConnectionStore } from '../store/connections.js';
import type { SessionStore } from '../store/sessions.js';
import type { TraceCollector } from '../trace/collector.js';
import { inPhase } from '../trace/phase.js';
import { profileInWords } from '../trace/profile-in-words.js';
import { sessionMiddleware } from './session.js';
import { accountView, balanceView, clientAuthViews, profileViews, transactionView } from './views.js';

const connectBody = z.object({
  profile: z.string().refine(isProfileId, {
    message: 'profile must be fapi2-dpop, fapi2-mtls, fapi1-advanced or fapi1-baseline',
  }),
  clientAuth: z
    .string()
    .refine(isClientAuthMethod, { message: 'clientAuth must be private_key_jwt or tls_client_auth' }),
  encryptRequestObject: z.boolean().optional(),
  encryptIdToken: z.boolean().optional(),
  encryptJarm: z.boolean().optional(),
  authorization: z.enum(['intent', 'authorization-details']).optional(),
  /** RFC 9396 §2.2: the account_information actions asked for (all three when absent). */
  actions: z.array(z.enum(ACCOUNT_ACTIONS)).min(1).optional(),
});

const paymentBody = z.object({
  authorization: z.enum(['intent', 'authorization-details']).optional(),
  payeeName: z
    .string()
    .trim()
    .min(1, 'enter the payee name')
    .max(70, 'the payee name is at most 70 characters'),
  sortCode: z
    .string()
    .trim()
    .regex(/^\d{2}-?\d{2}-?\d{2}$/, 'a sort code is six digits, e.g. 40-40-04'),
  accountNumber: z
    .string()
    .trim()
    .regex(/^\d{8}$/, 'an account number is eight digits'),
  amount: z
    .string()
    .trim()
    .regex(/^\d{1,9}\.\d{2}$/, 'an amount has two decimal places, e.g. 12.50')
    .refine((value) => Number(value) > 0, 'the amount must be more than 0.00'),
  // Faster Payments carry a reference of up to 18 characters.
  reference: z
    .string()
    .trim()
    .min(1, 'enter a reference')
    .max(18, 'a reference is at most 18 characters')
    .regex(/^[A-Za-z0-9 .\-/&]+$/, 'a reference may use letters, digits, spaces and . - / &'),
});

export function invalidBody(error: z.ZodError): OAuthError {
  const issue = error.issues[0];
  return new OAuthError({
    status: 400,
    error: 'invalid_request',
    description: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
    fix: 'correct the field and send again',
  });
}

function notFound(what: string): OAuthError {
  return new OAuthError({
    status: 404,
    error: 'not_found',
    description: `No ${what} with this id in your session`,
    fix: 'open it from the Connections page',
  });
}

function customerOf(req: Request, res: Response): Customer {
  return {
    sessionId: res.locals.session.id,
    authDate: new Date(res.locals.session.createdAt),
    ip: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
  };
}

export function apiRoutes(deps: {
  sessions: SessionStore;
  onboarding: Onboarding;
  connections: ConnectionService;
  store: ConnectionStore;
  collector: TraceCollector;
}): Router {
  const { connections, store } = deps;
  const router = Router();
  router.use(express.json({ limit: '32kb' }));
  router.use(sessionMiddleware(deps.sessions));
  router.use((_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  const owned = async (req: Request, res: Response): Promise<Connection> => {
    const connection = await store.get(String(req.params.id));
    if (!connection || connection.sessionId !== res.locals.session.id) throw notFound('connection');
    return connection;
  };
  const active = async (req: Request, res: Response): Promise<Connection> => {
    const connection = await owned(req, res);
    if (connection.status !== 'active') {
      throw new OAuthError({
        status: 409,
        error: 'connection_not_active',
        description:
          connection.status === 'ended' && connection.error
            ? `The bank ended this connection: ${connection.error.error_description}`
            : `This connection is ${connection.status}, so Moneywise holds no token for it`,
        fix:
          connection.status === 'authorising'
            ? 'finish authorising at the bank'
            : 'connect to the bank again',
      });
    }
    return connection;
  };

  router.get('/onboarding', async (_req, res) => {
    res.json(await deps.onboarding.view());
  });
  router.post('/onboarding', inPhase('onboarding'), async (_req, res) => {
    res.json(await deps.onboarding.run());
  });
  router.get('/onboarding/trace', async (_req, res) => {
    const view = await deps.onboarding.view();
    const { entries, unavailable } = view.interactionId
      ? await deps.collector.collect([view.interactionId])
      : { entries: [], unavailable: [] };
    res.json({ interactionId: view.interactionId, entries, unavailable });
  });

  router.get('/profiles', (_req, res) => {
    res.json({ profiles: profileViews(), clientAuthMethods: clientAuthViews() });
  });

  router.get('/connections', async (_req, res) => {
    const listed = await Promise.all(
      (await store.listForSession(res.locals.session.id)).map((c) => expireIfAbandoned(store, c)),
    );
    res.json({ connections: await Promise.all(listed.map(connections.view)) });
  });
  router.post('/connections', inPhase('connect'), async (req, res) => {
    const parsed = connectBody.safeParse(req.body ?? {});
    if (!parsed.success) throw invalidBody(parsed.error);
    const { profile, clientAuth, encryptRequestObject, encryptIdToken, encryptJarm, authorization, actions } =
      parsed.data;
    if (!isProfileId(profile) || !isClientAuthMethod(clientAuth))
      throw new Error('unreachable: validated above');
    // JARM §2.2: only a JWT response can be encrypted; the other profiles answer in the query.
    if (encryptJarm && !PROFILES[profile].jarm) {
      throw new OAuthError({
        status: 400,
        error: 'invalid_request',
        description: `encryptJarm: ${PROFILES[profile].title} answers without JARM, so there is no response JWT to encrypt`,
        clause: 'JARM §2.2, FAPI 1.0 Adv §5.2.2-2',
        fix: 'choose FAPI 1.0 Advanced, or leave the option off',
      });
    }
    const byDetails = authorization === 'authorization-details';
    // Which profiles may push authorization_details is the bank's to say (RFC 9396 §5): its refusal is relayed.
    if (actions && !byDetails) {
      throw new OAuthError({
        status: 400,
        error: 'invalid_request',
        description: 'actions: account_information actions travel only in a rich authorization request',
        clause: 'RFC 9396 §2.2',
        fix: 'send authorization "authorization-details" with the actions, or leave actions out',
      });
    }
    const started = await connections.start({
      customer: customerOf(req, res),
      profile,
      clientAuth,
      encryptRequestObject,
      encryptIdToken,
      encryptJarm,
      ...(byDetails ? { accountActions: actions ?? ACCOUNT_ACTIONS } : {}),
    });
    res.status(201).json(started);
  });
  router.get('/connections/:id', async (req, res) => {
    res.json(await connections.view(await owned(req, res)));
  });
  router.post('/connections/:id/disconnect', inPhase('disconnect'), async (req, res) => {
    const connection = await active(req, res);
    res.json(await connections.disconnect(connection, customerOf(req, res)));
  });

  // Remove a card: the same-origin rule (app.ts) guards this DELETE, and the session must own the
  // connection. A live one is disconnected first (RFC 7009 revocation, the consent deleted at the bank),
  // so removing never leaves a grant the learner can no longer see.
  router.delete('/connections/:id', inPhase('disconnect'), async (req, res) => {
    const connection = await owned(req, res);
    if (connection.status === 'active') await connections.disconnect(connection, customerOf(req, res));
    await store.remove(connection.id);
    res.status(204).end();
  });

  router.get('/connections/:id/accounts', inPhase('use'), async (req, res) => {
    const accounts = await connections.accounts(await active(req, res), customerOf(req, res));
    const views = accounts.map(accountView);
    await store.saveSharedAccounts(String(req.params.id), views);
    res.json({ accounts: views });
  });
  router.get('/connections/:id/accounts/:accountId/balances', inPhase('use'), async (req, res) => {
    const balances = await connections.balances(
      await active(req, res),
      String(req.params.accountId),
      customerOf(req, res),
    );
    res.json({ balances: balances.map(balanceView) });
  });
  router.get('/connections/:id/accounts/:accountId/transactions', inPhase('use'), async (req, res) => {
    const transactions = await connections.transactions(
      await active(req, res),
      String(req.params.accountId),
      customerOf(req, res),
    );
    res.json({ transactions: transactions.map(transactionView) });
  });

  router.post('/connections/:id/payments', inPhase('pay'), async (req, res) => {
    const connection = await active(req, res);
    const parsed = paymentBody.safeParse(req.body ?? {});
    if (!parsed.success) throw invalidBody(parsed.error);
    res.status(201).json(await connections.startPayment(connection, parsed.data, customerOf(req, res)));
  });
  router.get('/connections/:id/payments/:paymentId', inPhase('pay'), async (req, res) => {
    const connection = await owned(req, res);
    const payment = await store.payment(String(req.params.paymentId));
    if (!payment || payment.connectionId !== connection.id) throw notFound('payment');
    res.json(
      payment.status === 'submitted' && connection.status === 'active'
        ? await connections.refreshPayment(connection, payment, customerOf(req, res))
        : (await connections.view(connection)).payments.find((p) => p.id === payment.id),
    );
  });

  // UK OB R/W API v3.1 Idempotency: the same POST sent again, as a TPP whose submission timed out would.
  router.post('/connections/:id/payments/:paymentId/resubmit', inPhase('pay'), async (req, res) => {
    const connection = await active(req, res);
    const payment = await store.payment(String(req.params.paymentId));
    if (!payment || payment.connectionId !== connection.id) throw notFound('payment');
    if (payment.status !== 'submitted' || !payment.domesticPaymentId) {
      throw new OAuthError({
        status: 409,
        error: 'payment_not_submitted',
        description: `This payment is ${payment.status}, so there is no submission to send again (UK OB R/W API v3.1 Idempotency)`,
        fix:
          payment.status === 'authorising'
            ? 'authorise the payment at the bank first; Moneywise submits it when you return'
            : 'start a new payment',
      });
    }
    res.json(await connections.resubmitPayment(connection, payment, customerOf(req, res)));
  });

  const traceOf = async (connection: Connection): Promise<ConnectionTrace> => {
    const { entries, unavailable } = await deps.collector.collect([connection.interactionId], {
      profile: profileInWords(connection),
    });
    return { connectionId: connection.id, interactionId: connection.interactionId, entries, unavailable };
  };
  router.get('/connections/:id/trace', async (req, res) => {
    res.json(await traceOf(await owned(req, res)));
  });
  router.get('/connections/:id/trace/export', async (req, res) => {
    const connection = await owned(req, res);
    const trace = await traceOf(connection);
    res.attachment(`moneywise-trace-${connection.id}.json`);
    res
      .type('application/json')
      .send(
        JSON.stringify(
          { exportedAt: new Date().toISOString(), connection: await connections.view(connection), ...trace },
          null,
          2,
        ),
      );
  });

  router.use((_req, _res, next) => {
    next(
      new OAuthError({
        status: 404,
        error: 'not_found',
        description: 'No such API route',
        fix: 'see apps/tpp/README.md for the JSON API',
      }),
    );
  });
  return router;
}
