// The developer portal's pages and forms (/portal). A sign-up or a developer token starts a portal session
// (random id in a __Host- cookie, HttpOnly, Secure, SameSite=Strict) that acts for one organisation; every
// form posts to the same origin only (ui/session.ts), and calls the same domain functions as the portal API.
import express, { type Request, type RequestHandler, type Response, Router } from 'express';
import { invalidRequest } from '../domain/errors.js';
import { parseBody } from '../routes/http.js';
import { issueCertificateBody, portalSignUpBody, portalSoftwareStatementBody } from '../routes/schemas.js';
import type { DirectoryServices } from '../services.js';
import type { PageContext } from './layout.js';
import { portalLandingPage, portalOrganisationPage } from './portal-pages.js';
import { pageErrors, sendPage } from './routes.js';
import { assertSameOrigin, createCookieSessions } from './session.js';

export const PORTAL_SESSION_COOKIE = '__Host-directory-portal';

interface PortalSession {
  orgId: string;
  /** The developer token, held only until the page has shown it once. */
  tokenToShow?: string;
}

const NOTICES: Record<string, string> = {
  'signed-in': 'Signed in to the developer portal.',
  'signed-out': 'Signed out of the developer portal.',
  'software-registered':
    'Software statement registered: download its client bundle, or certify your own key.',
};

function field(req: Request, name: string): string | undefined {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

/** Checkboxes arrive as one string or several (application/x-www-form-urlencoded repeats the name). */
function fields(req: Request, name: string): string[] {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}

export function portalPageRoutes(services: DirectoryServices, signUpLimit: RequestHandler): Router {
  const { developers } = services;
  const origin = services.config.directory.web.origin;
  const router = Router();
  const sessions = createCookieSessions<PortalSession>(PORTAL_SESSION_COOKIE);
  const form = express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 20 });

  const context = (req: Request): PageContext => {
    const done = typeof req.query.done === 'string' ? NOTICES[req.query.done] : undefined;
    return { admin: false, path: '/ui', notice: done, portal: true };
  };
  const sameOrigin = (req: Request, _res: Response, next: () => void) => {
    assertSameOrigin(req, origin);
    next();
  };
  /** The organisation of the portal session; a form without one is sent to sign up. */
  const signedIn = (req: Request, res: Response): string | undefined => {
    const session = sessions.get(req);
    if (!session) res.redirect(303, '/portal');
    return session?.orgId;
  };

  router.get('/', async (req, res) => {
    const session = sessions.get(req);
    if (!session) {
      sendPage(res, portalLandingPage(context(req)));
      return;
    }
    const developerToken = session.tokenToShow;
    delete session.tokenToShow;
    sendPage(
      res,
      await portalOrganisationPage(services, context(req), { orgId: session.orgId, developerToken }),
    );
  });

  router.post('/forms/sign-up', sameOrigin, signUpLimit, form, async (req, res) => {
    developers.assertInvited(field(req, 'inviteCode'));
    const body = parseBody(portalSignUpBody, {
      inviteCode: field(req, 'inviteCode'),
      orgName: field(req, 'orgName'),
    });
    const { organisation, developerToken } = await developers.signUp(body);
    sessions.start(res, { orgId: organisation.orgId, tokenToShow: developerToken });
    res.redirect(303, '/portal');
  });

  router.post('/forms/sign-in', sameOrigin, form, async (req, res) => {
    const orgId = await developers.organisationOf(field(req, 'developerToken')?.trim() ?? '');
    if (!orgId) {
      throw invalidRequest(
        'That is not a developer token this directory issued',
        'paste the token shown once after sign-up, or sign up again with the invite code',
        'RFC 6750 §3.1',
      );
    }
    sessions.start(res, { orgId });
    res.redirect(303, '/portal?done=signed-in');
  });

  router.post('/forms/sign-out', sameOrigin, (req, res) => {
    sessions.end(req, res);
    res.redirect(303, '/portal?done=signed-out');
  });

  router.post('/forms/software-statements', sameOrigin, form, async (req, res) => {
    const orgId = signedIn(req, res);
    if (!orgId) return;
    const body = parseBody(portalSoftwareStatementBody, {
      clientName: field(req, 'clientName'),
      roles: fields(req, 'roles'),
      redirectUris: (field(req, 'redirectUris') ?? '')
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean),
    });
    await developers.createSoftwareStatement(orgId, body);
    res.redirect(303, '/portal?done=software-registered');
  });

  router.post('/forms/software-statements/:softwareId/bundle', sameOrigin, async (req, res) => {
    const orgId = signedIn(req, res);
    if (!orgId) return;
    const bundle = await developers.bundle(orgId, String(req.params.softwareId));
    res
      .status(200)
      .set({
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
        'Content-Disposition': `attachment; filename="${bundle.software.softwareId}.bundle.json"`,
      })
      .type('application/json')
      .send(`${JSON.stringify(bundle, null, 2)}\n`);
  });

  router.post('/forms/software-statements/:softwareId/certificates', sameOrigin, form, async (req, res) => {
    const orgId = signedIn(req, res);
    if (!orgId) return;
    const issued = await developers.issue(
      orgId,
      String(req.params.softwareId),
      // The API's body schema: one validation for the form and the JSON API.
      parseBody(issueCertificateBody, { type: field(req, 'type'), csr: field(req, 'csr') }),
    );
    sendPage(
      res,
      await portalOrganisationPage(services, context(req), {
        orgId,
        issued: { type: issued.certificate.type, chainPem: issued.chainPem },
      }),
      201,
    );
  });

  router.use(pageErrors(services, context, sendPage));
  return router;
}
