// The developer portal's API (issue #13, "bring your own client"): a learner signs up with the sandbox's
// invite code and gets an organisation and a developer token; with the token (RFC 6750 bearer) they
// register software statements for that one organisation, download a client bundle of fresh keys and
// certificates, or have their own key certified from a CSR. The SSA is then fetched over mTLS as every
// TPP does. The pages at /portal (ui/portal-routes.ts) call the same domain functions.
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import { type Request, type RequestHandler, type Response, Router } from 'express';
import type { Developers } from '../domain/developers.js';
import type { DirectoryServices } from '../services.js';
import { bearerTokenOf, jsonBody, param, parseBody, sendJson } from './http.js';
import { issueCertificateBody, portalSignUpBody, portalSoftwareStatementBody } from './schemas.js';
import { certificateView, organisationView, softwareStatementView } from './views.js';

const REALM = 'FAPI Sandbox Developer Portal';

/** RFC 6750 §2.1: the developer token as a bearer token; the organisation it acts for goes to res.locals. */
function requireDeveloper(developers: Developers): RequestHandler {
  return async (req, res, next) => {
    const header = req.headers.authorization;
    const token = header === undefined ? undefined : bearerTokenOf(header);
    const orgId = token === undefined ? undefined : await developers.organisationOf(token);
    if (orgId === undefined) {
      // RFC 6750 §3.1: no credentials get the bare challenge; a wrong one gets invalid_token.
      throw new OAuthError({
        status: 401,
        error: header === undefined ? 'unauthorized' : 'invalid_token',
        description:
          header === undefined
            ? 'The developer portal API needs your developer token'
            : 'The developer token is not one this directory issued',
        clause: header === undefined ? 'RFC 6750 §2.1' : 'RFC 6750 §3.1',
        fix: 'send Authorization: Bearer <developer token>, as shown once by POST /portal/sign-up or the portal page',
        headers: {
          'WWW-Authenticate':
            header === undefined
              ? `Bearer realm="${REALM}"`
              : `Bearer realm="${REALM}", error="invalid_token"`,
        },
      });
    }
    res.locals.developerOrgId = orgId;
    next();
  };
}

/** A developer token acts for its own organisation only; another id is refused without saying if it exists. */
function ownOrganisation(req: Request, res: Response): string {
  const own = res.locals.developerOrgId as string;
  const asked = param(req, 'orgId');
  if (asked !== own) {
    // 403, not insufficient_scope (RFC 6750 §3.1): no token of this organisation can ever act for another.
    throw new OAuthError({
      status: 403,
      error: 'access_denied',
      description: `This developer token acts for organisation ${own} only`,
      clause: 'RFC 9110 §15.5.4',
      fix: `call /portal/organisations/${own}/... with this token, or sign up the other organisation for its own token`,
    });
  }
  return own;
}

export function portalRoutes(services: DirectoryServices, signUpLimit: RequestHandler): Router {
  const { config, registry, developers } = services;
  const router = Router();
  const developer = requireDeveloper(developers);
  const ONE = '/organisations/:orgId/software-statements/:softwareId';

  router.post('/sign-up', signUpLimit, ...jsonBody(), async (req, res) => {
    developers.assertInvited((req.body as { inviteCode?: unknown } | undefined)?.inviteCode);
    const { organisation, developerToken } = await developers.signUp(parseBody(portalSignUpBody, req.body));
    res.location(`/organisations/${encodeURIComponent(organisation.orgId)}`);
    // The token is in this answer once: no cache may keep it (RFC 9111 §5.2.2.5).
    res.set('Cache-Control', 'no-store');
    res.status(201).json({
      organisation: { orgId: organisation.orgId, orgName: organisation.orgName, status: organisation.status },
      developerToken,
    });
  });

  router.get('/organisations/:orgId', developer, async (req, res) => {
    const orgId = ownOrganisation(req, res);
    const organisation = await registry.organisation(orgId);
    sendJson(res, 200, {
      ...organisationView(organisation, []),
      softwareStatements: (await services.store.softwareStatements.listFor(orgId)).map((software) =>
        softwareStatementView(config, organisation, software),
      ),
    });
  });

  router.post('/organisations/:orgId/software-statements', developer, ...jsonBody(), async (req, res) => {
    const orgId = ownOrganisation(req, res);
    const created = await developers.createSoftwareStatement(
      orgId,
      parseBody(portalSoftwareStatementBody, req.body),
    );
    res.location(
      `/organisations/${encodeURIComponent(orgId)}/software-statements/${encodeURIComponent(created.softwareId)}`,
    );
    sendJson(res, 201, softwareStatementView(config, await registry.organisation(orgId), created));
  });

  router.post(`${ONE}/bundle`, developer, async (req, res) => {
    const orgId = ownOrganisation(req, res);
    const bundle = await developers.bundle(orgId, param(req, 'softwareId'));
    // Private keys: shown once, never cached.
    res.status(201).set('Cache-Control', 'no-store').json(bundle);
  });

  router.post(`${ONE}/certificates`, developer, ...jsonBody(), async (req, res) => {
    const orgId = ownOrganisation(req, res);
    const issued = await developers.issue(
      orgId,
      param(req, 'softwareId'),
      parseBody(issueCertificateBody, req.body),
    );
    res.location(`/certificates/${issued.certificate.serialNumber}`);
    sendJson(res, 201, { certificate: certificateView(issued.certificate), chainPem: issued.chainPem });
  });

  return router;
}
