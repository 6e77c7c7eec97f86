// The flow trace of bank-op: every inbound request, with its FAPI interaction id, status, the client
// certificate it presented and the checks it went through, so the TPP can show one timeline across the
// parties. Front-channel requests (the customer's browser) carry no interaction id; flow-ids.ts finds
// the one their authorization was pushed with. Each event is filed under the participant it concerns
// (the client's software_id, or the directory-issued certificate's), who reads it at GET /trace on the
// mTLS listener with its transport certificate.
import type { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { jweHeaderOf } from '@fapi-sandbox/fapi-core/jose/encryption';
import { peerCertificateOf } from '@fapi-sandbox/fapi-core/peer-certificate';
import {
  type CheckResult,
  type DecodedJwt,
  decodeJwtsIn,
  handleTraceQuery,
  type TraceRecorder,
  traceOnlyOverMtls,
  traceReaderOf,
} from '@fapi-sandbox/fapi-core/trace';
import type { NextFunction, Request, Response } from 'express';
import type { CertificateSource } from '../mtls/client-certificate.js';
import type { FlowIds } from './flow-ids.js';

/** What each bank-op endpoint is, for the trace's step titles. */
const STEPS: [RegExp, string][] = [
  [/^\/\.well-known\//, 'Discovery'],
  [/^\/jwks$/, 'Bank signing keys (JWKS)'],
  [/^\/par$/, 'Pushed authorization request'],
  [/^\/authorize(\/|$)/, 'Authorization request'],
  [/^\/interaction\//, 'Customer sign-in and consent'],
  [/^\/token$/, 'Token request'],
  [/^\/token\/introspect$/, 'Token introspection'],
  [/^\/token\/revoke$/, 'Token revocation'],
  [/^\/register(\/|$)/, 'Dynamic client registration'],
];

function stepOf(path: string): string | undefined {
  return STEPS.find(([pattern]) => pattern.test(path))?.[1];
}

/** What a step of the flow is, for a learner: its title, what it proves, and the clause. */
export interface StepNote {
  step: string;
  explanation?: string;
  clause?: string;
}

/** How a request ended, for notes that depend on it (an error redirect or an error page). */
export interface Outcome {
  status: number;
  location: URL | undefined;
}

/** Where the checks and the step note of a request wait until its trace event is recorded. */
interface WithChecks {
  locals?: {
    traceChecks?: CheckResult[];
    traceStep?: StepNote | ((outcome: Outcome) => StepNote);
    traceParticipant?: string;
    traceJwts?: DecodedJwt[];
  };
}

/** Records the result of one check on this request (gates, oidc-provider refusals) in its trace event. */
export function noteCheck(res: unknown, check: CheckResult): void {
  const target = res as WithChecks;
  if (!target.locals) return;
  target.locals.traceChecks ??= [];
  target.locals.traceChecks.push(check);
}

/**
 * Records checks a request passed before it was refused: ahead of the first failed check already noted
 * (the refusal), so the trace reads in the order the checks ran.
 */
export function noteChecksBeforeRefusal(res: unknown, checks: CheckResult[]): void {
  const target = res as WithChecks;
  if (!target.locals || checks.length === 0) return;
  target.locals.traceChecks ??= [];
  const noted = target.locals.traceChecks;
  const refusal = noted.findIndex((check) => !check.passed);
  noted.splice(refusal === -1 ? noted.length : refusal, 0, ...checks);
}

/** Adds a JWT this party decoded (or decrypted) while handling the request to its trace event. */
export function noteJwt(res: unknown, jwt: DecodedJwt): void {
  const target = res as WithChecks;
  if (!target.locals) return;
  target.locals.traceJwts ??= [];
  target.locals.traceJwts.push(jwt);
}

/** Names this request's step for the trace (replacing the endpoint's generic title). */
export function noteStep(res: unknown, note: StepNote | ((outcome: Outcome) => StepNote)): void {
  const target = res as WithChecks;
  if (target.locals) target.locals.traceStep = note;
}

/** Files this request's trace event under a participant (the software_id of the client it concerns). */
export function noteParticipant(res: unknown, softwareId: string): void {
  const target = res as WithChecks;
  if (target.locals) target.locals.traceParticipant = softwareId;
}

/** Authorization response values shown only by their start: enough to follow, useless to replay. */
const SHORTENED_PARAMS = new Set(['code', 'response', 'id_token', 'access_token']);

function shorten(value: string): string {
  return value.length <= 8 ? value : `${value.slice(0, 8)}…`;
}

function redactParams(params: URLSearchParams): string {
  const copy = new URLSearchParams();
  for (const [name, value] of params) copy.append(name, SHORTENED_PARAMS.has(name) ? shorten(value) : value);
  return copy.toString();
}

/**
 * JARM §2.2: an encrypted JARM response is shown by its JWE protected header only; the bank encrypted it to
 * the client's key and holds no key to read it back.
 */
function encryptedResponseOf(params: URLSearchParams, where: string): DecodedJwt[] {
  const header = jweHeaderOf(params.get('response'));
  return header
    ? [
        {
          where: `${where}.response (JWE protected header; only the client can decrypt it)`,
          header: { ...header },
          claims: {},
        },
      ]
    : [];
}

/**
 * Where a front-channel response sends the browser, with codes and response JWTs shortened; the JWTs in
 * it (JARM `response`, hybrid `id_token`) are decoded for display with their code shortened too.
 */
function redirectOf(location: URL): { location: string; jwts: DecodedJwt[] } {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const jwts = [
    ...decodeJwtsIn(Object.fromEntries(location.searchParams), 'redirect query'),
    ...encryptedResponseOf(location.searchParams, 'redirect query'),
    ...decodeJwtsIn(Object.fromEntries(fragment), 'redirect fragment'),
    ...encryptedResponseOf(fragment, 'redirect fragment'),
  ].map((jwt) =>
    typeof jwt.claims.code === 'string'
      ? { ...jwt, claims: { ...jwt.claims, code: shorten(jwt.claims.code) } }
      : jwt,
  );
  const query = redactParams(location.searchParams);
  const hash = location.hash ? `#${redactParams(fragment)}` : '';
  return { location: `${location.origin}${location.pathname}${query ? `?${query}` : ''}${hash}`, jwts };
}

function locationOf(req: Request, res: Response): URL | undefined {
  const header = res.getHeader('location');
  return typeof header === 'string'
    ? (URL.parse(header, `${req.protocol}://${req.get('host')}`) ?? undefined)
    : undefined;
}

/**
 * The web listener carries both channels: the browser's authorization request and the sign-in and
 * consent pages (front), and a TPP server's discovery, JWKS, PAR or token calls (back).
 */
export function channelByEndpoint(authorizationPath: string) {
  return (req: Request): 'front' | 'back' =>
    req.path === authorizationPath ||
    req.path.startsWith(`${authorizationPath}/`) || // oidc-provider resumes the authorization there
    req.path.startsWith('/interaction/')
      ? 'front'
      : 'back';
}

/** Health polls and trace reads are not part of any flow. */
const UNTRACED = new Set(['/health', '/trace']);

export function traceRequests(options: {
  recorder: TraceRecorder;
  channel: (req: Request) => 'front' | 'back';
  certificates: CertificateSource;
  flowIds: FlowIds;
}) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (UNTRACED.has(req.path)) {
      next();
      return;
    }
    options.flowIds.resolve(req as IncomingMessage).then((interactionId) => {
      recordAtFinish(req, res, interactionId);
      next();
    }, next);
  };

  function recordAtFinish(req: Request, res: Response, interactionId: string): void {
    const presented = options.certificates.certificateOf(req as IncomingMessage);
    const channel = options.channel(req);
    res.on('finish', () => {
      const location = locationOf(req, res);
      const noted = (res as WithChecks).locals?.traceStep;
      const note = typeof noted === 'function' ? noted({ status: res.statusCode, location }) : noted;
      const step = note?.step ?? stepOf(req.path);
      // Front channel: where the browser is sent next is part of the flow (the code, the JARM response).
      const redirect = channel === 'front' && location ? redirectOf(location) : undefined;
      // The client oidc-provider identified, else the customer's page's flow, else the certificate.
      const participant =
        (res as WithChecks).locals?.traceParticipant ??
        options.flowIds.participantOf(req as IncomingMessage) ??
        (presented?.issuedByDirectory ? presented.identity.softwareId : undefined);
      options.recorder.record({
        interactionId,
        ...(participant ? { participant } : {}),
        party: 'bank-op',
        direction: 'inbound',
        channel,
        ...(step ? { step } : {}),
        ...(note?.explanation ? { explanation: note.explanation } : {}),
        ...(note?.clause ? { clause: note.clause } : {}),
        method: req.method,
        url: `${req.protocol}://${req.get('host')}${req.path}`,
        status: res.statusCode,
        requestHeaders: req.headers as Record<string, string>,
        ...(redirect ? { responseHeaders: { location: redirect.location }, jwts: redirect.jwts } : {}),
        ...((res as WithChecks).locals?.traceJwts
          ? { jwts: [...(redirect?.jwts ?? []), ...(res as WithChecks).locals!.traceJwts!] }
          : {}),
        checks: (res as WithChecks).locals?.traceChecks ?? [],
        ...(presented
          ? {
              certificate: {
                subject: presented.identity.subjectDn,
                x5tS256: presented.x5tS256,
              },
            }
          : {}),
      });
    });
  }
}

/** GET /trace on the mTLS listener: the events of the participant whose transport certificate asks. */
export function traceQueryRoute(recorder: TraceRecorder, directoryCa: X509Certificate, mtlsOrigin: string) {
  return (req: Request, res: Response, next: NextFunction) => {
    try {
      // Read from the TLS socket only: a reader is never identified by a forwarded header.
      const reader = traceReaderOf(peerCertificateOf(req.socket), directoryCa, `${mtlsOrigin}/trace`);
      const params = new URLSearchParams(req.url.split('?')[1] ?? '');
      res.set('Cache-Control', 'no-store').json({ events: handleTraceQuery(recorder, params, reader) });
    } catch (err) {
      next(err);
    }
  };
}

/** GET /trace on the web listener, which asks for no certificate: where to go instead. */
export function traceOnWebListener(mtlsOrigin: string) {
  return (_req: Request, _res: Response, next: NextFunction) => {
    next(traceOnlyOverMtls(`${mtlsOrigin}/trace`));
  };
}
