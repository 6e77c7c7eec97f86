// HTTP message signatures on resource requests and responses, as FAPI 2.0 asks for non-repudiation of
// them (NR5, NR6): RFC 9421 signatures built and checked by the `http-message-signatures` library, an
// RFC 9530 Content-Digest over the body, and the rules of FAPI 2.0 HTTP Signatures (draft 01, the part
// of FAPI 2.0 Message Signing that moved out of its final text) §5.3.1 (requests) and §5.3.2 (responses).
// One implementation for both sides: the TPP signs requests and verifies responses, bank-api verifies
// requests and signs responses. Keys are the parties' JWKS keys: keyid is the kid, and the algorithm is
// the key's JWS alg (RFC 9421 §3.3.7), so no `alg` parameter is sent and FAPI's PS256/ES256 rule holds.
import {
  createHash,
  createPublicKey,
  constants as cryptoConstants,
  KeyObject,
  sign,
  verify,
} from 'node:crypto';
import {
  httpbis,
  type Request as SignedRequest,
  type Response as SignedResponse,
} from 'http-message-signatures';
import type { CryptoKey, JWK } from 'jose';
import {
  type BareItem,
  type InnerList,
  type Item,
  parseDictionary,
  serializeInnerList,
} from 'structured-headers';
import { type AsymmetricKeyInput, type FapiSigningAlg, isFapiSigningAlg } from './jose/algorithms.js';
import type { Reject } from './jose/reject.js';

export const REQUEST_TAG = 'fapi-2-request';
export const RESPONSE_TAG = 'fapi-2-response';
/** The label of the FAPI signature in Signature-Input and Signature (RFC 9421 §4.1). */
export const SIGNATURE_LABEL = 'fapi';
/** FAPI 2.0 HTTP Signatures §5.3.1.2-6: `created` within an acceptable range, 1 minute recommended. */
export const CREATED_WINDOW_SECONDS = 60;
/** Clock skew allowed for a `created` in the future. */
const FUTURE_TOLERANCE_SECONDS = 5;

const SPEC = 'FAPI 2.0 HTTP Signatures';
export const CLAUSES = {
  requestSigner: `${SPEC} §5.3.1.1`,
  requestVerifier: `${SPEC} §5.3.1.2`,
  responseSigner: `${SPEC} §5.3.2.1`,
  responseVerifier: `${SPEC} §5.3.2.2`,
} as const;

/** A private key a party signs messages with: its JWKS key, named by kid. */
export interface MessageSigningKey {
  kid: string;
  alg: FapiSigningAlg;
  key: AsymmetricKeyInput;
}

/** The HTTP message as it travelled: lower-case header names, and the body bytes as sent. */
export interface HttpRequestParts {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: string | Uint8Array;
}

export interface HttpResponseParts {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body?: string | Uint8Array;
}

/** What a verified (or freshly made) signature covers and who made it: what the inspector explains. */
export interface MessageSignature {
  label: string;
  keyid: string;
  alg: string;
  /** Seconds since the epoch. */
  created: number;
  tag: string;
  /** The covered components as RFC 9421 §2 identifiers, e.g. `"@method"`, `"signature";req;key="fapi"`. */
  covered: string[];
  /** The headers that carry it. */
  signatureInput: string;
  signature: string;
  contentDigest?: string;
}

/** Finds the public key of `kid` in the signer's JWKS (undefined when it has no such key). */
export type KeyLookup = (kid: string) => Promise<JWK | undefined>;

/** RFC 9530 §2: `sha-256=:<base64 of the SHA-256 of the body>:`. */
export function contentDigest(body: string | Uint8Array): string {
  return `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
}

function hasBody(body: string | Uint8Array | undefined): body is string | Uint8Array {
  return body !== undefined && body.length > 0;
}

function headerValue(headers: HttpRequestParts['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** undefined-free headers as the library reads them. */
function definedHeaders(headers: HttpRequestParts['headers']): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries(headers).filter((entry): entry is [string, string | string[]] => entry[1] !== undefined),
  );
}

function privateKeyOf(key: AsymmetricKeyInput): KeyObject {
  if (key instanceof KeyObject) return key;
  if ('type' in key && 'algorithm' in key) return KeyObject.from(key as CryptoKey);
  throw new TypeError(
    'a message signing key must be a KeyObject or CryptoKey (load it with loadSigningKeys)',
  );
}

/** RFC 9421 §3.3.7: the signature over the signature base is the JWS signature of the key's alg. */
function jwsSigner(key: MessageSigningKey) {
  const privateKey = privateKeyOf(key.key);
  return async (data: Buffer) => sign(hashOf(key.alg), data, jwsOptions(key.alg, privateKey));
}

function hashOf(alg: string): string | null {
  return alg === 'EdDSA' || alg === 'Ed25519' ? null : 'sha256';
}

function jwsOptions(alg: string, key: KeyObject) {
  // RFC 7518 §3.5: PS256 is RSASSA-PSS with SHA-256 and a 32-byte salt; §3.4: ES256 is r||s, not DER.
  if (alg === 'PS256') {
    return { key, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: 32 };
  }
  return { key, dsaEncoding: 'ieee-p1363' as const };
}

/** Sorts identifiers and parameters so the inspector shows what `serializeInnerList` wrote. */
function coveredOf(input: InnerList): string[] {
  return serializeInnerList([input[0], new Map()]).slice(1, -1).split(' ').filter(Boolean);
}

function signatureInputMember(headers: Record<string, string | string[]>, label: string): string {
  const parsed = parseDictionary(String(headers['Signature-Input'] ?? headers['signature-input']));
  return serializeInnerList(parsed.get(label) as InnerList);
}

function signatureMember(headers: Record<string, string | string[]>, label: string): string {
  const parsed = parseDictionary(String(headers.Signature ?? headers.signature));
  const value = (parsed.get(label) as Item)[0] as ArrayBuffer;
  return Buffer.from(value).toString('base64');
}

/**
 * §5.3.1.1: signs a resource request. Covers @method, @target-uri, Authorization, DPoP when present,
 * Content-Digest when there is a body (added here, RFC 9530), and the interaction and idempotency ids
 * the API acts on (the signer "signs anything else relevant"); `created`, `keyid` and tag fapi-2-request.
 * Returns the headers to add and what the signature covers.
 */
export async function signRequest(
  key: MessageSigningKey,
  request: HttpRequestParts,
  options: { created?: Date; fields?: string[] } = {},
): Promise<{ headers: Record<string, string>; signature: MessageSignature }> {
  const added: Record<string, string> = {};
  if (hasBody(request.body)) added['content-digest'] = contentDigest(request.body);
  const headers = { ...definedHeaders(request.headers), ...added };
  const fields = options.fields ?? [
    '@method',
    '@target-uri',
    'authorization',
    ...(headers.dpop ? ['dpop'] : []),
    ...(added['content-digest'] ? ['content-digest'] : []),
    ...['x-fapi-interaction-id', 'x-idempotency-key'].filter((name) => headers[name] !== undefined),
  ];
  const signed = await httpbis.signMessage(
    {
      key: { id: key.kid, sign: jwsSigner(key) },
      name: SIGNATURE_LABEL,
      fields,
      params: ['created', 'keyid', 'tag'],
      paramValues: { tag: REQUEST_TAG, ...(options.created ? { created: options.created } : {}) },
    },
    { method: request.method, url: request.url, headers },
  );
  return finish(signed.headers, added, key);
}

/**
 * §5.3.2.1: signs the response to a signed request: @status, Content-Digest of the body, `created`,
 * tag fapi-2-response, and (with `;req`, RFC 9421 §2.4) the request's method, target URI, digest and its
 * own signature and signature input, so the answer is bound to the exact request it answers. The
 * response's x-fapi-interaction-id, when given in `response.headers`, is covered too (see below).
 */
export async function signResponse(
  key: MessageSigningKey,
  response: HttpResponseParts,
  request: HttpRequestParts & { label?: string },
  options: { created?: Date } = {},
): Promise<{ headers: Record<string, string>; signature: MessageSignature }> {
  const added: Record<string, string> = {};
  if (hasBody(response.body)) added['content-digest'] = contentDigest(response.body);
  const responseHeaders = { ...definedHeaders(response.headers), ...added };
  const requestHeaders = definedHeaders(request.headers);
  const label = request.label ?? SIGNATURE_LABEL;
  const signedRequest = requestHeaders['signature-input'] !== undefined;
  const fields = [
    '@status',
    ...(added['content-digest'] ? ['content-digest'] : []),
    // §5.3.2.1 NOTE: signers sign "anything else relevant"; not required, chosen as on requests: the id
    // both parties log the exchange under cannot be swapped without breaking the signature.
    ...(responseHeaders['x-fapi-interaction-id'] !== undefined ? ['x-fapi-interaction-id'] : []),
    '"@method";req',
    '"@target-uri";req',
    ...(requestHeaders['content-digest'] ? ['"content-digest";req'] : []),
    ...(signedRequest ? [`"signature";req;key="${label}"`, `"signature-input";req;key="${label}"`] : []),
  ];
  const signed = await httpbis.signMessage(
    {
      key: { id: key.kid, sign: jwsSigner(key) },
      name: SIGNATURE_LABEL,
      fields,
      params: ['created', 'keyid', 'tag'],
      paramValues: { tag: RESPONSE_TAG, ...(options.created ? { created: options.created } : {}) },
    },
    { status: response.status, headers: responseHeaders } satisfies SignedResponse,
    { method: request.method, url: request.url, headers: requestHeaders } satisfies SignedRequest,
  );
  return finish(signed.headers, added, key);
}

function finish(
  headers: Record<string, string | string[]>,
  added: Record<string, string>,
  key: MessageSigningKey,
): { headers: Record<string, string>; signature: MessageSignature } {
  const input = signatureInputMember(headers, SIGNATURE_LABEL);
  const parsed = parseDictionary(`${SIGNATURE_LABEL}=${input}`).get(SIGNATURE_LABEL) as InnerList;
  const out = {
    ...added,
    'signature-input': `${SIGNATURE_LABEL}=${input}`,
    signature: `${SIGNATURE_LABEL}=:${signatureMember(headers, SIGNATURE_LABEL)}:`,
  };
  return {
    headers: out,
    signature: {
      label: SIGNATURE_LABEL,
      keyid: key.kid,
      alg: key.alg,
      created: Number(parsed[1].get('created')),
      tag: String(parsed[1].get('tag')),
      covered: coveredOf(parsed),
      signatureInput: out['signature-input'],
      signature: out.signature,
      ...(added['content-digest'] ? { contentDigest: added['content-digest'] } : {}),
    },
  };
}

/** A component identifier's name and whether it carries `req`, e.g. `"@method";req` → @method, req. */
function componentsOf(input: InnerList): { name: string; req: boolean; key?: string }[] {
  return input[0].map(([name, params]) => ({
    name: String(name),
    req: params.has('req'),
    ...(params.has('key') ? { key: String(params.get('key')) } : {}),
  }));
}

interface Expectations {
  tag: string;
  clause: string;
  /** Components that must be covered, each with the clause item demanding it. */
  required: { name: string; req?: boolean; key?: string; item: string; why: string }[];
  body?: string | Uint8Array;
  bodyItem: string;
  /** The clause item for `created` (§5.3.1.2-6 for requests, §5.3.2.2-3 for responses). */
  createdItem: string;
  /** The clause item for a missing signature (§5.3.1.2-3 for requests, §5.3.2.2-2 for responses). */
  missingItem: string;
  /** The clause item for the FAPI tag (§5.3.1.2-4 for requests, §5.3.2.2-5 for responses). */
  tagItem: string;
}

/** Picks the signature with the FAPI tag: §5.3.1.2-4 / §5.3.2.2-5. */
function fapiSignature(
  headers: HttpRequestParts['headers'],
  reject: Reject,
  expect: Expectations,
): { label: string; input: InnerList; raw: string } {
  const inputHeader = headerValue(headers, 'signature-input');
  const signatureHeader = headerValue(headers, 'signature');
  if (!inputHeader || !signatureHeader) {
    throw reject({
      description: `The message carries no HTTP message signature (${inputHeader ? 'Signature' : 'Signature-Input'} header missing)`,
      clause: `${expect.clause}-${expect.missingItem}, RFC 9421 §4`,
      fix: `sign it (RFC 9421) with tag="${expect.tag}" and send the Signature-Input and Signature headers`,
    });
  }
  let inputs: ReturnType<typeof parseDictionary>;
  try {
    inputs = parseDictionary(inputHeader);
    parseDictionary(signatureHeader);
  } catch (err) {
    throw reject({
      description: `Signature-Input or Signature is not a structured field dictionary (${err instanceof Error ? err.message : String(err)})`,
      clause: 'RFC 9421 §4.1, §4.2, RFC 8941 §3.2',
      fix: 'send label=("component" ...);created=...;keyid="...";tag="..." and label=:base64:',
    });
  }
  for (const [label, input] of inputs) {
    if (Array.isArray(input[0]) && input[1].get('tag') === expect.tag) {
      return { label, input: input as InnerList, raw: serializeInnerList(input as InnerList) };
    }
  }
  throw reject({
    description: `No signature has tag="${expect.tag}" (found ${[...inputs.keys()].join(', ') || 'none'})`,
    clause: `${expect.clause}-${expect.tagItem}`,
    fix: `add the signature parameter tag="${expect.tag}"`,
  });
}

/** §5.3.1.2-5/-7/-8 and §5.3.2.2-3/-4: every required component is covered. */
function assertCovered(input: InnerList, reject: Reject, expect: Expectations): void {
  const covered = componentsOf(input);
  for (const need of expect.required) {
    const found = covered.some(
      (c) =>
        c.name === need.name && c.req === (need.req ?? false) && (need.key ? c.key === need.key : !c.key),
    );
    if (!found) {
      const id = `"${need.name}"${need.req ? ';req' : ''}${need.key ? `;key="${need.key}"` : ''}`;
      throw reject({
        description: `The signature does not cover ${id}: ${need.why}`,
        clause: `${expect.clause}-${need.item}`,
        fix: `include ${id} in the covered components`,
      });
    }
  }
}

/** §5.3.1.2-6 / §5.3.2.2-3: `created` present and recent; keyid present (the verifier needs the key). */
function assertParams(input: InnerList, reject: Reject, expect: Expectations, now: number): void {
  const created = input[1].get('created');
  if (typeof created !== 'number') {
    throw reject({
      description: 'The signature has no created parameter',
      clause: `${expect.clause}-${expect.createdItem}`,
      fix: 'add created=<seconds since the epoch> to the signature parameters',
    });
  }
  if (now - created > CREATED_WINDOW_SECONDS || created - now > FUTURE_TOLERANCE_SECONDS) {
    throw reject({
      description: `The signature was created ${now - created} s ago (at ${new Date(created * 1000).toISOString()}); this party accepts ${CREATED_WINDOW_SECONDS} s`,
      clause: `${expect.clause}-${expect.createdItem}`,
      fix: 'sign each message when it is sent, with created = now',
    });
  }
  if (typeof input[1].get('keyid') !== 'string') {
    throw reject({
      description: 'The signature has no keyid parameter, so the verifier cannot pick the key',
      clause: `${expect.clause}-1, RFC 9421 §2.3`,
      fix: 'add keyid="<kid of the signing key in your registered JWKS>"',
    });
  }
  // RFC 9421 §3.3.7: with a JWS algorithm taken from the JWK, the alg parameter is not sent.
  if (input[1].has('alg')) {
    throw reject({
      description: `The signature names alg="${String(input[1].get('alg'))}"; this ecosystem signs with the key's JWS algorithm (PS256 or ES256) and no alg parameter`,
      clause: 'RFC 9421 §3.3.7, FAPI 2.0 SP §5.4.1-1',
      fix: 'leave out the alg parameter and sign with the JWS algorithm of the key named by keyid',
    });
  }
}

/** RFC 9530 §2: the Content-Digest matches the body received. */
function assertDigest(headers: HttpRequestParts['headers'], reject: Reject, expect: Expectations): void {
  if (!hasBody(expect.body)) return;
  const sent = headerValue(headers, 'content-digest');
  let digest: BareItem | undefined;
  try {
    digest = sent ? (parseDictionary(sent).get('sha-256') as Item | undefined)?.[0] : undefined;
  } catch {
    digest = undefined;
  }
  if (!(digest instanceof ArrayBuffer)) {
    throw reject({
      description: `The message has a body but no sha-256 Content-Digest (${sent ? `got '${sent.slice(0, 60)}'` : 'header missing'})`,
      clause: `${expect.clause}-${expect.bodyItem}, RFC 9530 §2`,
      fix: 'send Content-Digest: sha-256=:<base64 SHA-256 of the body bytes>: and cover it',
    });
  }
  const actual = createHash('sha256').update(expect.body).digest();
  if (!actual.equals(Buffer.from(digest))) {
    throw reject({
      description: `The body does not match its Content-Digest (sent ${sent}, body hashes to ${contentDigest(expect.body)}): the body was changed after it was signed`,
      clause: 'RFC 9530 §2, RFC 9421 §7.2.8',
      fix: 'compute Content-Digest over the exact bytes sent, and do not change the body after signing',
    });
  }
}

/** Looks up the key, checks its algorithm, and has the library verify the signature base (RFC 9421 §3.2). */
async function verifyWith(
  message: SignedRequest | SignedResponse,
  request: SignedRequest | undefined,
  chosen: { label: string; input: InnerList },
  keys: KeyLookup,
  reject: Reject,
  expect: Expectations,
): Promise<{ kid: string; alg: string }> {
  const kid = String(chosen.input[1].get('keyid'));
  const jwk = await keys(kid);
  if (!jwk) {
    // §5.3.1.2-1 / §5.3.2.2-1: the client's keys are its software statement's; the server's, its published JWKS.
    const where =
      expect.tag === REQUEST_TAG
        ? 'your JWKS (the software statement the directory holds)'
        : "the resource server's JWKS (its /jwks)";
    throw reject({
      description: `keyid "${kid}" is not a key of the signer's registered JWKS`,
      clause: `${expect.clause}-1`,
      fix: `sign with a key published in ${where} and put its kid in keyid`,
    });
  }
  const alg = String(jwk.alg ?? '');
  if (!isFapiSigningAlg(alg) || jwk.use === 'enc') {
    throw reject({
      description: `Key "${kid}" is for ${jwk.use === 'enc' ? 'encryption' : `alg ${alg || 'unknown'}`}, not a FAPI signing algorithm`,
      clause: 'FAPI 2.0 SP §5.4.1-1, RFC 9421 §3.3.7',
      fix: 'sign with a PS256 or ES256 key of your JWKS',
    });
  }
  const publicKey = createPublicKey({ key: jwk as never, format: 'jwk' });
  let verified: boolean | null;
  try {
    verified = await httpbis.verifyMessage(
      {
        keyLookup: async (params) =>
          params.keyid === kid && params.tag === expect.tag
            ? {
                id: kid,
                verify: async (data, signature) =>
                  verify(hashOf(alg), data, jwsOptions(alg, publicKey), signature),
              }
            : null,
        tolerance: FUTURE_TOLERANCE_SECONDS,
        maxAge: CREATED_WINDOW_SECONDS,
      },
      message as SignedResponse,
      request,
    );
  } catch (err) {
    throw reject({
      description: `The signature could not be checked: ${err instanceof Error ? err.message : String(err)}`,
      clause: `${expect.clause}-2, RFC 9421 §3.2`,
      fix: 'cover only components the message carries, and send Signature and Signature-Input with the same label',
    });
  }
  if (verified !== true) {
    throw reject({
      description: `The signature does not verify with key "${kid}" (${alg}): the covered components changed after signing, or another key signed it`,
      clause: `${expect.clause}-2, RFC 9421 §3.2`,
      fix: 'sign the signature base of the message as sent, with the private key of the kid named in keyid',
    });
  }
  return { kid, alg };
}

function describe(
  chosen: { label: string; input: InnerList; raw: string },
  headers: HttpRequestParts['headers'],
  verified: { kid: string; alg: string },
): MessageSignature {
  const signature = parseDictionary(headerValue(headers, 'signature') ?? '').get(chosen.label) as
    | Item
    | undefined;
  const digest = headerValue(headers, 'content-digest');
  return {
    label: chosen.label,
    keyid: verified.kid,
    alg: verified.alg,
    created: Number(chosen.input[1].get('created')),
    tag: String(chosen.input[1].get('tag')),
    covered: coveredOf(chosen.input),
    signatureInput: `${chosen.label}=${chosen.raw}`,
    signature: `${chosen.label}=:${signature && signature[0] instanceof ArrayBuffer ? Buffer.from(signature[0]).toString('base64') : ''}:`,
    ...(digest ? { contentDigest: digest } : {}),
  };
}

/**
 * §5.3.1.2: verifies a signed resource request against the client's registered keys. Throws what
 * `reject` makes of the first rule broken; returns what the signature covers and which key made it.
 */
export async function verifyRequest(
  request: HttpRequestParts,
  options: { keys: KeyLookup; reject: Reject; now?: number },
): Promise<MessageSignature> {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const withBody = hasBody(request.body);
  const expect: Expectations = {
    tag: REQUEST_TAG,
    clause: CLAUSES.requestVerifier,
    body: request.body,
    bodyItem: '8',
    createdItem: '6',
    missingItem: '3',
    tagItem: '4',
    required: [
      { name: '@method', item: '5', why: 'the method is part of what the client asks for' },
      { name: '@target-uri', item: '5', why: 'the URI names the resource acted on' },
      { name: 'authorization', item: '5', why: 'it binds the request to the access token' },
      ...(headerValue(request.headers, 'dpop') !== undefined
        ? [{ name: 'dpop', item: '7', why: 'the request carries a DPoP proof' }]
        : []),
      ...(withBody ? [{ name: 'content-digest', item: '8', why: 'the request has a body' }] : []),
    ],
  };
  const chosen = fapiSignature(request.headers, options.reject, expect);
  assertParams(chosen.input, options.reject, expect, now);
  assertCovered(chosen.input, options.reject, expect);
  assertDigest(request.headers, options.reject, expect);
  const message: SignedRequest = {
    method: request.method,
    url: request.url,
    headers: definedHeaders(request.headers),
  };
  const verified = await verifyWith(message, undefined, chosen, options.keys, options.reject, expect);
  return describe(chosen, request.headers, verified);
}

/**
 * §5.3.2.2: verifies the signed response to a request this party signed: tag fapi-2-response, @status,
 * created, Content-Digest over the body, and (§5.3.2.1-3) the request's own signature covered with `;req`,
 * so the answer cannot be replayed onto another request.
 */
export async function verifyResponse(
  response: HttpResponseParts,
  request: HttpRequestParts,
  options: { keys: KeyLookup; reject: Reject; now?: number },
): Promise<MessageSignature> {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const requestLabel = headerValue(request.headers, 'signature-input')
    ? [...parseDictionary(headerValue(request.headers, 'signature-input')!).keys()][0]
    : undefined;
  const expect: Expectations = {
    tag: RESPONSE_TAG,
    clause: CLAUSES.responseVerifier,
    body: response.body,
    bodyItem: '4',
    createdItem: '3',
    missingItem: '2',
    tagItem: '5',
    required: [
      { name: '@status', item: '3', why: 'the status says what became of the request' },
      ...(hasBody(response.body)
        ? [{ name: 'content-digest', item: '4', why: 'the response has a body' }]
        : []),
      ...(requestLabel
        ? [
            {
              name: 'signature',
              req: true,
              key: requestLabel,
              item: '2',
              why: `it binds the response to this request (${CLAUSES.responseSigner}-3)`,
            },
          ]
        : []),
    ],
  };
  const chosen = fapiSignature(response.headers, options.reject, expect);
  assertParams(chosen.input, options.reject, expect, now);
  assertCovered(chosen.input, options.reject, expect);
  assertDigest(response.headers, options.reject, expect);
  const verified = await verifyWith(
    { status: response.status, headers: definedHeaders(response.headers) },
    { method: request.method, url: request.url, headers: definedHeaders(request.headers) },
    chosen,
    options.keys,
    options.reject,
    expect,
  );
  return describe(chosen, response.headers, verified);
}

/** A JWKS as a KeyLookup (by kid, signing keys only). */
export function jwksLookup(jwks: { keys: JWK[] }): KeyLookup {
  return async (kid) => jwks.keys.find((key) => key.kid === kid && key.use !== 'enc');
}
