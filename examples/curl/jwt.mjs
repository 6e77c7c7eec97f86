// What curl cannot make by itself: the JWTs and the PKCE pair of a FAPI 2.0 client. Each command prints
// one value on stdout, so the walkthrough can put it in a shell variable.
//
//   node jwt.mjs pkce                                   → "<code_verifier> <code_challenge>" (RFC 7636 §4.1-4.2, S256)
//   node jwt.mjs random                                 → a fresh random value, for state and nonce
//   node jwt.mjs dpop-key <file>                        → writes a new ES256 private JWK (RFC 9449 §4.1: the client's DPoP key)
//   node jwt.mjs dpop <keyfile> <METHOD> <url> [nonce] [access_token]
//                                                       → a DPoP proof (RFC 9449 §4.2; ath when given a token, §4.3 item 11)
//   node jwt.mjs assertion <bundle> <client_id> <audience>
//                                                       → a private_key_jwt client assertion (RFC 7523 §3, FAPI 2.0 SP §5.3.2.1-4)
//   node jwt.mjs verify-id-token <id_token> <jwks-file> <issuer> <client_id> <nonce>
//                                                       → the ID token's claims, after checking it (OIDC Core §3.1.3.7)
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
} from 'jose';

const base64url = (bytes) => Buffer.from(bytes).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

const commands = {
  pkce() {
    // RFC 7636 §4.1: 32 random octets, base64url (43 characters); §4.2: challenge = BASE64URL(SHA256(verifier)).
    const verifier = base64url(randomBytes(32));
    return `${verifier} ${base64url(createHash('sha256').update(verifier).digest())}`;
  },

  random() {
    return base64url(randomBytes(24));
  },

  async 'dpop-key'(file) {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    fs.writeFileSync(file, JSON.stringify({ ...(await exportJWK(privateKey)), alg: 'ES256' }), {
      mode: 0o600,
    });
    return file;
  },

  async dpop(keyFile, method, url, nonce, accessToken) {
    const jwk = JSON.parse(fs.readFileSync(keyFile, 'utf8'));
    const { d: _private, ...publicJwk } = jwk;
    const target = new URL(url);
    const claims = {
      jti: randomUUID(),
      htm: method,
      // RFC 9449 §4.2: htu is the URI without query and fragment.
      htu: `${target.origin}${target.pathname}`,
      iat: now(),
      ...(nonce ? { nonce } : {}),
      ...(accessToken ? { ath: base64url(createHash('sha256').update(accessToken).digest()) } : {}),
    };
    return new SignJWT(claims)
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: publicJwk })
      .sign(await importJWK(jwk, 'ES256'));
  },

  async assertion(bundleFile, clientId, audience) {
    const bundle = JSON.parse(fs.readFileSync(bundleFile, 'utf8'));
    const key = bundle.signing.privateJwks.keys.find((candidate) => candidate.alg === 'PS256');
    if (!key) throw new Error('the bundle has no PS256 signing key');
    // RFC 7523 §3: iss and sub are the client_id; FAPI 2.0 SP §5.3.2.1-8: aud is the issuer identifier.
    return new SignJWT({
      iss: clientId,
      sub: clientId,
      aud: audience,
      jti: randomUUID(),
      iat: now(),
      exp: now() + 60,
    })
      .setProtectedHeader({ alg: 'PS256', kid: key.kid, typ: 'JWT' })
      .sign(await importJWK(key, 'PS256'));
  },

  async 'verify-id-token'(idToken, jwksFile, issuer, clientId, nonce) {
    const keys = createLocalJWKSet(JSON.parse(fs.readFileSync(jwksFile, 'utf8')));
    const { payload } = await jwtVerify(idToken, keys, {
      issuer,
      audience: clientId,
      algorithms: ['PS256', 'ES256'],
    });
    if (payload.nonce !== nonce)
      throw new Error(`the ID token's nonce is not the one sent (OIDC Core §3.1.3.7-11)`);
    return JSON.stringify(payload, null, 2);
  },

  async thumbprint(keyFile) {
    return calculateJwkThumbprint(JSON.parse(fs.readFileSync(keyFile, 'utf8')));
  },
};

const [command, ...args] = process.argv.slice(2);
if (!commands[command]) {
  console.error(`usage: node jwt.mjs ${Object.keys(commands).join('|')} …`);
  process.exit(2);
}
try {
  console.log(await commands[command](...args));
} catch (err) {
  console.error(`jwt.mjs ${command}: ${err.message}`);
  process.exit(1);
}
