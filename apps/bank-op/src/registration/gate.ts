// Dynamic client registration (RFC 7591) and management (RFC 7592), open-banking style: in front of
// oidc-provider's registration endpoint on the mTLS listener, this gate admits a registration only when
// the directory vouches for it — a software statement the directory signed, presented over mTLS with
// the software's own directory-issued transport certificate — and rewrites the request to the metadata
// the bank allows (registration/metadata-policy.ts). oidc-provider then validates, stores the client
// and issues the registration access token that read, update and delete require.

import { subjectDn } from '@fapi-sandbox/fapi-core/certificate-identity';
import { OAuthError } from '@fapi-sandbox/fapi-core/errors';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Dispatcher } from 'undici';
import { requestWithBody } from '../http/replay-body.js';
import { noteCheck } from '../http/trace.js';
import type { CertificateSource } from '../mtls/client-certificate.js';
import type { DirectoryReads } from '../participants/directory.js';
import { chooseProfile, clientMetadataFor, type RegistrationRequest } from './metadata-policy.js';
import { checkSoftwareJwks } from './software-jwks.js';
import { verifySoftwareStatement } from './software-statement.js';
import { requireCertificate, verifyTransportCertificate } from './transport-certificate.js';

type Handler = (req: Request, res: Response) => void;

export interface RegistrationGateOptions {
  /** oidc-provider's registration route, e.g. '/register'. */
  path: string;
  directory: DirectoryReads;
  directoryIssuer: string;
  directoryOrigin: string;
  /** Reaches the directory (jwks of the software) with TLS verification against the sandbox CA. */
  directoryAgent: Dispatcher;
  certificates: CertificateSource;
  /** The registered client's directory identity, for management requests. */
  findClient(clientId: string): Promise<{ software_id?: unknown; org_id?: unknown } | undefined>;
  /** oidc-provider's request handler. */
  provider: Handler;
}

const MAX_BODY = '64kb';

function parseJsonObject(body: unknown): RegistrationRequest {
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new OAuthError({
      status: 400,
      error: 'invalid_client_metadata',
      description: 'The registration request body is not JSON',
      clause: 'RFC 7591 §3.1',
      fix: 'send the client metadata as a JSON object with Content-Type: application/json',
    });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new OAuthError({
      status: 400,
      error: 'invalid_client_metadata',
      description: 'The registration request body is not a JSON object',
      clause: 'RFC 7591 §3.1',
      fix: 'send the client metadata as a JSON object',
    });
  }
  return parsed as RegistrationRequest;
}

export function registrationGate(options: RegistrationGateOptions): Router {
  const router = express.Router();
  const rawJson = express.raw({ type: () => true, limit: MAX_BODY });

  /** Verifies SSA, transport certificate and keys; returns the metadata to register. */
  async function admit(
    req: Request,
    res: Response,
    request: RegistrationRequest,
  ): Promise<Record<string, unknown>> {
    const presented = requireCertificate(options.certificates.certificateOf(req));
    const statement = await verifySoftwareStatement(request.software_statement, {
      directory: options.directory,
      directoryIssuer: options.directoryIssuer,
    });
    noteCheck(res, {
      name: 'The software statement is signed by the directory, unexpired, for active software',
      passed: true,
      clause: 'RFC 7591 §2.3, OB DCR v3.3 §4.3',
      detail: `SSA for software ${statement.softwareId} of ${statement.orgName}`,
    });
    await verifyTransportCertificate(presented, statement, options.directory);
    noteCheck(res, {
      name: "The transport certificate is the directory's, active, for the same software",
      passed: true,
      clause: 'OB DCR v3.3 §4.2, RFC 8705 §2.1',
      detail: subjectDn(presented.x509),
    });
    const softwareJwks = await checkSoftwareJwks(statement.jwksUri, chooseProfile(request), {
      directoryOrigin: options.directoryOrigin,
      agent: options.directoryAgent,
    });
    return clientMetadataFor({
      request,
      statement,
      transportSubjectDn: subjectDn(presented.x509),
      softwareJwks,
    });
  }

  /** RFC 7592 requests also come from the registered software, with its active transport certificate. */
  async function assertManagedBySameSoftware(
    req: Request,
    clientId: string,
  ): Promise<{ orgId: string; softwareId: string }> {
    const presented = requireCertificate(options.certificates.certificateOf(req));
    const client = await options.findClient(clientId);
    const identity = {
      orgId: typeof client?.org_id === 'string' ? client.org_id : '',
      softwareId: typeof client?.software_id === 'string' ? client.software_id : '',
    };
    // An unknown client is oidc-provider's to answer (invalid_token); only the certificate is checked here.
    if (client) await verifyTransportCertificate(presented, identity, options.directory);
    return identity;
  }

  // A refused registration shows in the flow trace as the check that failed.
  const handle =
    (fn: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction) => {
      fn(req, res).catch((err: unknown) => {
        if (err instanceof OAuthError) {
          noteCheck(res, {
            name: 'The directory vouches for this registration (SSA, transport certificate, metadata)',
            passed: false,
            clause: err.clause ?? 'RFC 7591 §3.2.2',
            detail: `${err.error}: ${err.errorDescription}`,
          });
        }
        next(err);
      });
    };

  router.post(
    options.path,
    rawJson,
    handle(async (req, res) => {
      const metadata = await admit(req, res, parseJsonObject(req.body));
      options.provider(
        requestWithBody(req, Buffer.from(JSON.stringify(metadata)), 'application/json') as Request,
        res,
      );
    }),
  );

  router.put(
    `${options.path}/:clientId`,
    rawJson,
    handle(async (req, res) => {
      const clientId = String(req.params.clientId);
      const registered = await assertManagedBySameSoftware(req, clientId);
      const request = parseJsonObject(req.body);
      const metadata = await admit(req, res, request);
      if (registered.softwareId && metadata.software_id !== registered.softwareId) {
        throw new OAuthError({
          status: 400,
          error: 'invalid_software_statement',
          description: `The software_statement is for software ${String(metadata.software_id)}, and client ${clientId} was registered for ${registered.softwareId}`,
          clause: 'RFC 7592 §2.2, OB DCR v3.3 §4.4',
          fix: "update the client with its own software's SSA",
        });
      }
      const body = { ...metadata, client_id: request.client_id };
      options.provider(
        requestWithBody(req, Buffer.from(JSON.stringify(body)), 'application/json') as Request,
        res,
      );
    }),
  );

  for (const method of ['get', 'delete'] as const) {
    router[method](
      `${options.path}/:clientId`,
      handle(async (req, res) => {
        await assertManagedBySameSoftware(req, String(req.params.clientId));
        options.provider(req, res);
      }),
    );
  }
  return router;
}

/** The web listener does not register clients: registration needs the transport certificate. */
export function registrationOnlyOverMtls(path: string, mtlsRegistrationEndpoint: string): Router {
  const router = express.Router();
  router.all([path, `${path}/:clientId`], (_req, _res, next) => {
    next(
      new OAuthError({
        status: 400,
        error: 'invalid_request',
        description: 'Client registration is served only on the mTLS endpoint',
        clause: 'OB DCR v3.3 §4.2, RFC 8705 §5',
        fix: `send it to ${mtlsRegistrationEndpoint} with your transport certificate`,
      }),
    );
  });
  return router;
}
