// A request's JWTs are decoded once and read by every step of that request (request-jwts.ts): the same
// answer within a request, never another request's, and never another JWT's within the same request.
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { CompactEncrypt, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { jwtClaimsOf, jwtHeaderOf } from '../src/http/request-jwts.js';

const requestOnOneConnection = (socket: Socket) => new IncomingMessage(socket);

let alice: string;
let bob: string;
let encrypted: string;

beforeAll(async () => {
  const { privateKey } = await generateKeyPair('PS256');
  const bank = await generateKeyPair('RSA-OAEP-256');
  const assertion = (sub: string, kid: string) =>
    new SignJWT({ jti: crypto.randomUUID() })
      .setProtectedHeader({ alg: 'PS256', kid })
      .setIssuer(sub)
      .setSubject(sub)
      .sign(privateKey);
  alice = await assertion('client-alice', 'key-alice');
  bob = await assertion('client-bob', 'key-bob');
  encrypted = await new CompactEncrypt(new TextEncoder().encode(alice))
    .setProtectedHeader({ alg: 'RSA-OAEP-256', enc: 'A256GCM', kid: 'bank-enc' })
    .encrypt(bank.publicKey);
});

describe("a request's JWTs, decoded once", () => {
  it('answers the same decoding to every step of one request', () => {
    const req = requestOnOneConnection(new Socket());
    const claims = jwtClaimsOf(req, alice);
    expect(claims?.sub).toBe('client-alice');
    expect(jwtClaimsOf(req, alice)).toBe(claims);
    const header = jwtHeaderOf(req, alice);
    expect(header?.kid).toBe('key-alice');
    expect(jwtHeaderOf(req, alice)).toBe(header);
  });

  it('never answers for another JWT in the same request: each token has its own decoding', () => {
    const req = requestOnOneConnection(new Socket());
    expect(jwtClaimsOf(req, alice)?.sub).toBe('client-alice');
    expect(jwtClaimsOf(req, bob)?.sub).toBe('client-bob');
    expect(jwtHeaderOf(req, bob)?.kid).toBe('key-bob');
  });

  it('never answers from another request, even on the same keep-alive connection with the same bytes', () => {
    const socket = new Socket();
    const first = requestOnOneConnection(socket);
    const second = requestOnOneConnection(socket);
    const firstClaims = jwtClaimsOf(first, alice);
    const secondClaims = jwtClaimsOf(second, alice);
    expect(secondClaims).toEqual(firstClaims);
    expect(secondClaims).not.toBe(firstClaims);
    // The next request of the connection sends another client's assertion: it reads that one.
    expect(jwtClaimsOf(requestOnOneConnection(socket), bob)?.sub).toBe('client-bob');
  });

  it('reads the header of a JWE and no claims (they are encrypted); nothing of what is no JWT', () => {
    const req = requestOnOneConnection(new Socket());
    expect(jwtHeaderOf(req, encrypted)?.kid).toBe('bank-enc');
    expect(jwtClaimsOf(req, encrypted)).toBeUndefined();
    expect(jwtHeaderOf(req, 'not.a.jwt')).toBeUndefined();
    expect(jwtClaimsOf(req, 'not.a.jwt')).toBeUndefined();
    expect(jwtClaimsOf(req, '')).toBeUndefined();
  });
});
