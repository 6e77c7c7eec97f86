// The JOSE helpers of the sandbox, one module per specification: FAPI algorithms and keys, PKCE (RFC 7636),
// thumbprints (RFC 7638, RFC 8705 §3.1), private_key_jwt (RFC 7523), request objects (RFC 9101),
// DPoP (RFC 9449), JARM, replay caches and signing-key sets.
export * from './algorithms.js';
export * from './claims.js';
export * from './client-assertion.js';
export * from './dpop.js';
export * from './jarm.js';
export * from './keys.js';
export * from './pkce.js';
export * from './reject.js';
export * from './replay-cache.js';
export * from './request-object.js';
export * from './signature.js';
export * from './thumbprint.js';
