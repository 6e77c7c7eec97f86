import { createHash, X509Certificate } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { certificateThumbprint, jwkThumbprint, thumbprintsEqual } from '../../src/jose/thumbprint.js';

// Self-signed test certificates (public data only; their keys were discarded). Expected thumbprints were
// computed independently: openssl x509 -outform DER | openssl dgst -sha256 -binary | base64url.
const LEAF = `-----BEGIN CERTIFICATE-----
MIIBmTCCAT+gAwIBAgIURIZEYwABmgF5odLi2QWqLzAwuz4wCgYIKoZIzj0EAwIw
IjEgMB4GA1UEAwwXdGh1bWJwcmludC1maXh0dXJlLWxlYWYwHhcNMjYxMTIxMTMw
MjU1WhcNMzYxMTE4MTMwMjU1WjAiMSAwHgYDVQQDDBd0aHVtYnByaW50LWZpeHR1
cmUtbGVhZjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABBbag6bfIsjioY/uAbHJ
a1IRmwJZ+jnGh5DE/AngNOhvfuh+HLQgOwC+0sTxe39XpwjoAneS10Rb8bo8zNV/
H1ujUzBRMB0GA1UdDgQWBBSCtt6v+VwEmk9OWfF3E4F7G4AA8TAfBgNVHSMEGDAW
gBSCtt6v+VwEmk9OWfF3E4F7G4AA8TAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49
BAMCA0gAMEUCIQDf8PPMYT2HjzkIlnw4zPwFHY7evQYq0x5lh9vHsG0hawIgEF3c
iCB0IWara3H88mR7pAJ9i/qoHzAsrqRnqpdHvEk=
-----END CERTIFICATE-----
`;
const CA = `-----BEGIN CERTIFICATE-----
MIIBlTCCATugAwIBAgIURcu0ZR6W7am0bLhVnb0m40gVQlwwCgYIKoZIzj0EAwIw
IDEeMBwGA1UEAwwVdGh1bWJwcmludC1maXh0dXJlLWNhMB4XDTI2MTEyMTEzMDI1
NVoXDTM2MTExODEzMDI1NVowIDEeMBwGA1UEAwwVdGh1bWJwcmludC1maXh0dXJl
LWNhMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE3/GCDMurGNh1CvXR5r8cz4r0
UnxfEHljMvpVU3jeVHL2TB4mE5KeLe1SQx6W6y78vUoMUOIRfgP8wsolDCGETKNT
MFEwHQYDVR0OBBYEFGd42Ev6vrOp0WPg9uDDC2CVECuUMB8GA1UdIwQYMBaAFGd4
2Ev6vrOp0WPg9uDDC2CVECuUMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwID
SAAwRQIgO5FRzgyYr1am8QP/6zTmbV1DzYL3CJfB6tHKpUkaxPoCIQCO1VwY0AGK
8Oqg6MCSd1jQp63RhNZOBwVuBQwYgV60iA==
-----END CERTIFICATE-----
`;
const LEAF_X5T_S256 = 'QLeIp2vwbeiFVoNENMCuFSCeNXTps6vJ2LJqhWUPl8Q';
const CA_X5T_S256 = 'F1LNhl3ujJ6R0AMYhJREyJVp87p-hQHFXMKhxuTDSh4';

describe('JWK thumbprint (RFC 7638)', () => {
  it('matches the example of RFC 7638 §3.1', async () => {
    const jwk = {
      kty: 'RSA',
      n: '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
      e: 'AQAB',
      alg: 'RS256',
      kid: '2011-04-29',
    };
    expect(await jwkThumbprint(jwk)).toBe('NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs');
  });

  it('hashes only the required members in lexicographic order, so the private half has the same thumbprint', async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const expected = createHash('sha256')
      .update(JSON.stringify({ crv: publicJwk.crv, kty: publicJwk.kty, x: publicJwk.x, y: publicJwk.y }))
      .digest('base64url');
    expect(await jwkThumbprint({ ...publicJwk, kid: 'k1', use: 'sig' })).toBe(expected);
    expect(await jwkThumbprint(await exportJWK(privateKey))).toBe(expected);
  });

  it('differs for different keys', async () => {
    const a = await exportJWK((await generateKeyPair('ES256')).publicKey);
    const b = await exportJWK((await generateKeyPair('ES256')).publicKey);
    expect(thumbprintsEqual(await jwkThumbprint(a), await jwkThumbprint(b))).toBe(false);
    expect(thumbprintsEqual(await jwkThumbprint(a), await jwkThumbprint({ ...a }))).toBe(true);
  });
});

describe('certificate thumbprint x5t#S256 (RFC 8705 §3.1)', () => {
  it('is the base64url SHA-256 of the DER, from PEM, DER bytes or an X509Certificate', () => {
    const cert = new X509Certificate(LEAF);
    expect(certificateThumbprint(LEAF)).toBe(LEAF_X5T_S256);
    expect(certificateThumbprint(cert.raw)).toBe(LEAF_X5T_S256);
    expect(certificateThumbprint(new Uint8Array(cert.raw))).toBe(LEAF_X5T_S256);
    expect(certificateThumbprint(cert)).toBe(LEAF_X5T_S256);
    expect(certificateThumbprint(CA)).toBe(CA_X5T_S256);
  });

  it('uses the leaf, the first certificate of a PEM chain', () => {
    expect(certificateThumbprint(LEAF + CA)).toBe(LEAF_X5T_S256);
  });

  it('refuses input that is not a certificate', () => {
    expect(() => certificateThumbprint('not a certificate')).toThrow(/not a PEM certificate/);
    expect(() => certificateThumbprint(Buffer.from('garbage'))).toThrow();
  });
});
