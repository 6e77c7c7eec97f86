// The directory's web page (server-rendered HTML, no scripts): browse participants, certificates and
// SSAs, and, as admin, suspend software or revoke certificates. Forms post to the same origin only.

import { clauseOf, isOAuthError, OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { logFailure, logRefusal } from '@fapi-sandbox/fapi-core/log';
import express, { type NextFunction, type Request, type Response, Router } from 'express';
import { PARTICIPANT_STATUSES, type ParticipantStatus } from '../domain/model.js';
import type { DirectoryServices } from '../services.js';
import type { PageContext } from './layout.js';
import {
  certificatesPage,
  errorPage,
  loginPage,
  organisationPage,
  overviewPage,
  reissuePage,
  revokePage,
  softwarePage,
} from './pages.js';
import { createSessions } from './session.js';
import { STYLESHEET } from './style.js';

const NOTICES: Record<string, string> = {
  'signed-in': 'Signed in as directory admin.',
  'signed-out': 'Signed out.',
  active: 'Reactivated.',
  suspended: 'Suspended: no SSA is issued and /participants shows it as suspended.',
  revoked: 'Revoked: its certificates are revoked too, and this cannot be undone.',
  'certificate-reissued':
    'Certificate reissued: the old one is revoked, and the new key and certificate are in certs/participants, where the demo TPP reads them at its next call.',
  'certificate-revoked':
    'Certificate revoked: it is in the CRL, /certificate-status says revoked, and signing keys left the JWKS.',
};

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'self'; img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  // same-origin, not no-referrer: under no-referrer Chromium sends `Origin: null` on form posts, and the
  // forms' same-origin check (fapi-core same-origin.ts) would rest on Sec-Fetch-Site alone.
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

/** Only paths on this page: an open redirect would let a link send a signed-in admin anywhere. */
function localUiPath(value: unknown, fallback = '/ui'): string {
  return typeof value === 'string' && /^\/ui(\/[A-Za-z0-9/_.%-]*)?$/.test(value) ? value : fallback;
}

function formField(req: Request, name: string): string | undefined {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

function statusField(req: Request): ParticipantStatus {
  const status = formField(req, 'status');
  if (!PARTICIPANT_STATUSES.includes(status as ParticipantStatus)) {
    throw Object.assign(new Error('status must be active, suspended or revoked'), {
      status: 400,
      expose: true,
    });
  }
  return status as ParticipantStatus;
}

/** Errors on a page are shown as a page (the JSON API answers JSON); unexpected ones are logged. */
export function pageErrors(
  services: DirectoryServices,
  context: (req: Request) => PageContext,
  send: (res: Response, body: string, status: number) => void,
) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: number }).status ?? 500;
    const message = isOAuthError(err)
      ? err.errorDescription
      : status < 500 && (err as { expose?: boolean }).expose
        ? String((err as Error).message)
        : 'The directory failed to do that; nothing was changed. See the directory log.';
    if (status >= 500) logFailure(services.log, req, res, err);
    else {
      const error = isOAuthError(err) ? err.error : 'invalid_request';
      logRefusal(services.log, req, res, {
        status,
        error,
        error_description: message,
        clause: clauseOf(err),
      });
    }
    send(res, errorPage(status, message, context(req)), status >= 400 ? status : 500);
  };
}

/** The page's response headers: a strict CSP (no scripts at all), no sniffing, no caching. */
export function sendPage(res: Response, body: string, status = 200): void {
  res.status(status).set(SECURITY_HEADERS).type('html').send(body);
}

/** RFC 5280 §3.3: revocation is final, so the page revokes only what its confirmation names. */
function unconfirmedRevocation(serialNumber: string): OAuthError {
  return new OAuthError({
    status: 400,
    error: 'invalid_request',
    description: `Certificate ${serialNumber} was not revoked: the form did not confirm it`,
    clause: 'RFC 5280 §3.3',
    fix: `open /ui/certificates/${serialNumber}/revoke, read what revoking breaks, and confirm there`,
  });
}

export function uiRoutes(services: DirectoryServices): Router {
  const router = Router();
  const sessions = createSessions(services.config.directory.web.origin);
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });

  const context = (req: Request): PageContext => {
    const done = typeof req.query.done === 'string' ? NOTICES[req.query.done] : undefined;
    return { admin: sessions.isAdmin(req), path: localUiPath(req.originalUrl.split('?')[0]), notice: done };
  };
  const send = sendPage;
  /** Every state-changing form: same origin, then the admin session, then the form body. */
  const adminForm = [
    (req: Request, _res: Response, next: NextFunction) => {
      sessions.assertSameOrigin(req);
      sessions.assertAdmin(req);
      next();
    },
    form,
  ];

  router.get('/style.css', (_req, res) => {
    res.set('Cache-Control', 'no-cache').type('css').send(STYLESHEET);
  });

  router.get('/', async (req, res) => send(res, await overviewPage(services, context(req))));
  router.get('/certificates', async (req, res) => send(res, await certificatesPage(services, context(req))));
  router.get('/organisations/:orgId', async (req, res) =>
    send(res, await organisationPage(services, String(req.params.orgId), context(req))),
  );
  router.get('/organisations/:orgId/software-statements/:softwareId', async (req, res) =>
    send(
      res,
      await softwarePage(services, String(req.params.orgId), String(req.params.softwareId), context(req)),
    ),
  );

  router.get('/certificates/:serialNumber/revoke', async (req, res) => {
    sessions.assertAdmin(req);
    const back = typeof req.query.back === 'string' ? localUiPath(req.query.back) : undefined;
    send(res, await revokePage(services, String(req.params.serialNumber), back, context(req)));
  });

  router.get('/certificates/:serialNumber/reissue', async (req, res) => {
    sessions.assertAdmin(req);
    send(res, await reissuePage(services, String(req.params.serialNumber), context(req)));
  });

  router.get('/login', (req, res) => {
    send(res, loginPage({ ...context(req), next: localUiPath(req.query.next) }));
  });

  router.post(
    '/login',
    (req, _res, next) => {
      sessions.assertSameOrigin(req);
      next();
    },
    form,
    (req, res) => {
      const next = localUiPath(formField(req, 'next'));
      const credential = formField(req, 'credential') ?? '';
      if (!services.adminCredential.matches(credential)) {
        send(res, loginPage({ ...context(req), next, error: 'That is not the admin credential.' }), 401);
        return;
      }
      sessions.start(res);
      res.redirect(303, `${next}?done=signed-in`);
    },
  );

  router.post(
    '/logout',
    (req, _res, next) => {
      sessions.assertSameOrigin(req);
      next();
    },
    (req, res) => {
      sessions.end(req, res);
      res.redirect(303, '/ui?done=signed-out');
    },
  );

  router.post('/organisations/:orgId/status', ...adminForm, async (req, res) => {
    const status = statusField(req);
    const org = await services.registry.setOrganisationStatus(String(req.params.orgId), status);
    res.redirect(303, `/ui/organisations/${encodeURIComponent(org.orgId)}?done=${status}`);
  });

  router.post(
    '/organisations/:orgId/software-statements/:softwareId/status',
    ...adminForm,
    async (req, res) => {
      const status = statusField(req);
      const { organisation, software } = await services.registry.setSoftwareStatus(
        String(req.params.orgId),
        String(req.params.softwareId),
        status,
      );
      res.redirect(
        303,
        `/ui/organisations/${encodeURIComponent(organisation.orgId)}/software-statements/${encodeURIComponent(software.softwareId)}?done=${status}`,
      );
    },
  );

  // The confirmation page sends the serial number back: one click on a stale or forged form revokes nothing.
  router.post('/certificates/:serialNumber/revoke', ...adminForm, async (req, res) => {
    const certificate = await services.certificates.get(String(req.params.serialNumber));
    if (!certificate.revokedAt && formField(req, 'confirm') !== certificate.serialNumber) {
      throw unconfirmedRevocation(certificate.serialNumber);
    }
    await services.certificates.revoke(certificate.serialNumber, 'privilegeWithdrawn');
    res.redirect(303, `${localUiPath(formField(req, 'back'))}?done=certificate-revoked`);
  });

  // The confirmation page sends the serial number back: nothing is revoked without it.
  router.post('/certificates/:serialNumber/reissue', ...adminForm, async (req, res) => {
    await services.reissue(String(req.params.serialNumber), formField(req, 'confirm'));
    res.redirect(303, `${localUiPath(formField(req, 'back'))}?done=certificate-reissued`);
  });

  router.use(pageErrors(services, context, send));

  return router;
}
