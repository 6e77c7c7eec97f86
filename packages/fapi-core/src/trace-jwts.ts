// JWTs in the flow trace, for display only: nothing here verifies a signature. A party notes where it
// found a JWT; the recorder keeps its header and payload segments only (without its signature the text is
// no usable token) and decodes them when the event is read, not on every call it records, since most
// events are never read. Decoded claims are the sender's JSON: bounded in depth like a body, so a deep
// one cannot break a later read; a JWT found twice (a check's and the redaction's) is shown once.

export interface DecodedJwt {
  /** Where it was found: "DPoP header", "access_token", "request", … */
  where: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** Whether the recording party verified the signature; undefined when it only decoded it. */
  verified?: boolean;
}

/** A JWT noted for the trace, decoded only when the event is read (see jwtsForDisplay). */
export interface JwtForDisplay {
  where: string;
  /** The compact JWS as found; the recorder keeps its first two segments only. */
  jwt: string;
  verified?: boolean;
}

/** What a recording party hands the recorder: JWTs decoded already, or noted to decode when read. */
export type TraceJwt = DecodedJwt | JwtForDisplay;

/** Deeper structures are cut: JSON this deep is an attack on the reader, not a message to learn from. */
export const MAX_BODY_DEPTH = 32;

// A compact JWS: base64url JSON header (always starts "eyJ"), payload and signature (empty for alg none),
// not part of a longer dotted run (which would be a JWE).
const COMPACT_JWS = /(?<![A-Za-z0-9_.-])eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*(?![A-Za-z0-9_.-])/g;

const isNoted = (jwt: TraceJwt): jwt is JwtForDisplay => 'jwt' in jwt;

/** The compact JWTs in `text`, noted under `where` and not decoded (the recorder decodes them when read). */
export function jwtsForDisplay(text: string, where: string): JwtForDisplay[] {
  return [...new Set(Array.from(text.matchAll(COMPACT_JWS), (match) => match[0]))].map((jwt) => ({
    where,
    jwt,
  }));
}

/**
 * Finds compact JWTs in a string or (deeply) in an object and decodes their header and claims for display.
 * Nothing is verified (`verified` stays undefined). Nested finds are named by their path, e.g.
 * `decodeJwtsIn(body, 'token response')` → where "token response.access_token".
 */
export function decodeJwtsIn(value: unknown, where: string): DecodedJwt[] {
  const found: DecodedJwt[] = [];
  const seen = new Set<string>();
  const visit = (node: unknown, path: string, depth: number): void => {
    if (typeof node === 'string') {
      for (const match of node.matchAll(COMPACT_JWS)) {
        if (seen.has(match[0])) continue;
        const decoded = decodeForDisplay(match[0]);
        if (!decoded) continue;
        seen.add(match[0]);
        found.push({ where: path, ...decoded });
      }
      return;
    }
    if (depth > 32 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const [index, item] of node.entries()) visit(item, `${path}[${index}]`, depth + 1);
      return;
    }
    for (const [name, child] of Object.entries(node))
      visit(child, path ? `${path}.${name}` : name, depth + 1);
  };
  visit(value, where, 0);
  return found;
}

/**
 * What the recorder keeps of a JWT: a noted one as its header and payload only (no signature, so no
 * usable token is ever stored), a decoded one bounded in depth.
 */
export function storedJwt(jwt: TraceJwt): TraceJwt {
  if (!isNoted(jwt)) return bounded(jwt);
  const [header = '', payload = ''] = jwt.jwt.split('.', 2);
  return { ...jwt, jwt: `${header}.${payload}` };
}

/**
 * The JWTs of an event as a reader sees them: noted ones decoded (those that do not decode left out) and
 * bounded in depth. Every JWT the recording party gave is shown; one the redaction found in the message
 * is shown unless the same JWT is already there (the party's entry keeps its `where` and `verified`).
 */
export function decodedJwts(given: readonly TraceJwt[], found: readonly TraceJwt[] = []): DecodedJwt[] {
  const decode = (jwt: TraceJwt): DecodedJwt | undefined => {
    if (!isNoted(jwt)) return jwt;
    const parts = decodeForDisplay(jwt.jwt);
    if (!parts) return undefined;
    const { jwt: _text, ...rest } = jwt;
    return bounded({ ...rest, ...parts });
  };
  const shown = given.map(decode).filter((jwt) => jwt !== undefined);
  const seen = new Set(shown.map(sameJwtKey));
  for (const jwt of found) {
    const decoded = decode(jwt);
    if (!decoded || seen.has(sameJwtKey(decoded))) continue;
    seen.add(sameJwtKey(decoded));
    shown.push(decoded);
  }
  return shown;
}

function sameJwtKey(jwt: DecodedJwt): string {
  return JSON.stringify([jwt.header, jwt.claims]);
}

function decodeForDisplay(token: string): Pick<DecodedJwt, 'header' | 'claims'> | undefined {
  const [header, claims] = token.split('.').slice(0, 2).map(parseSegment);
  return header && claims ? { header, claims } : undefined;
}

function parseSegment(segment: string | undefined): Record<string, unknown> | undefined {
  if (!segment) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function bounded(jwt: DecodedJwt): DecodedJwt {
  return {
    ...jwt,
    header: boundDepth(jwt.header, 0) as Record<string, unknown>,
    claims: boundDepth(jwt.claims, 0) as Record<string, unknown>,
  };
}

function boundDepth(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_BODY_DEPTH) return `[nested deeper than ${MAX_BODY_DEPTH} levels: not kept]`;
  if (Array.isArray(value)) return value.map((item) => boundDepth(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([name, field]) => [name, boundDepth(field, depth + 1)]),
  );
}
