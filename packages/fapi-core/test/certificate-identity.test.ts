// The one reading of a participant certificate's subject (OB DCR v3.3 §4.2, RFC 8705 §2.1.2), on the
// sandbox PKI's real certificates and its negative fixtures: whom it names (OU organisation, CN software,
// each exactly once), who issued it, and tls_client_auth_subject_dn against it (RFC 4514 strings list
// the RDNs last-to-first, tools often print them in certificate order; both are the subject, with any
// RFC 4514 escaping; anything else is another subject).
import 'reflect-metadata';
import { webcrypto, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as x509 from '@peculiar/x509';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  certificateIdentity,
  directoryParticipantOf,
  issuedBy,
  sameDistinguishedName,
  signedBy,
  subjectDn,
} from '../src/certificate-identity.js';
import { loadConfig, type SandboxConfig } from '../src/config.js';

let config: SandboxConfig;
let cert: X509Certificate;
let directoryCa: X509Certificate;
let orgId: string;
let softwareId: string;

/** The leaf of a PEM file (a chain file starts with it). */
function leafOf(file: string): X509Certificate {
  return new X509Certificate(readFileSync(file));
}

beforeAll(() => {
  config = loadConfig();
  const participant = config.participants.demo;
  cert = leafOf(participant.transportCert);
  directoryCa = leafOf(config.ca.directory);
  orgId = participant.orgId;
  softwareId = participant.softwareId;
});

/** A self-signed certificate with exactly the subject given (RDNs in certificate order). */
async function selfSigned(name: x509.JsonName): Promise<X509Certificate> {
  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const keys = (await webcrypto.subtle.generateKey(algorithm, false, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const generated = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3_600_000),
    signingAlgorithm: algorithm,
    keys,
  });
  return new X509Certificate(Buffer.from(generated.rawData));
}

describe('certificateIdentity', () => {
  it("reads the organisation, software and subject of Moneywise's transport certificate", () => {
    expect(certificateIdentity(cert)).toEqual({
      orgId,
      softwareId,
      organisationName: 'Moneywise Ltd',
      organisationIdentifier: `PSDGB-OB-${orgId}`,
      country: 'GB',
      subjectDn: `CN=${softwareId},2.5.4.97=PSDGB-OB-${orgId},OU=${orgId},O=Moneywise Ltd,C=GB`,
    });
    const second = config.participants.second;
    expect(certificateIdentity(leafOf(second.transportCert))).toMatchObject({
      orgId: second.orgId,
      softwareId: second.softwareId,
    });
  });

  it('names nobody when the subject holds two CNs or two OUs (no guessing which one counts)', async () => {
    const twoCns = await selfSigned([
      { C: ['GB'] },
      { OU: [orgId] },
      { CN: ['someone-else'] },
      { CN: [softwareId] },
    ]);
    // Node's printed subject lists both; a line parser would keep the last CN and take it for Moneywise.
    expect(twoCns.subject).toContain(`CN=${softwareId}`);
    expect(certificateIdentity(twoCns).orgId).toBe(orgId);
    expect(certificateIdentity(twoCns).softwareId).toBeUndefined();
    const twoOus = await selfSigned([{ OU: ['0015800001041RFAAY', orgId] }, { CN: [softwareId] }]);
    expect(certificateIdentity(twoOus).orgId).toBeUndefined();
    expect(certificateIdentity(twoOus).softwareId).toBe(softwareId);
  });

  it('reads a value with a comma, plus or newline as one value, not as further attributes', async () => {
    const tricky = await selfSigned([{ CN: [`x\nOU=${orgId}`] }, { O: ['Moneywise, Ltd+OU=other'] }]);
    const identity = certificateIdentity(tricky);
    expect(identity.orgId).toBeUndefined();
    expect(identity.softwareId).toBe(`x\nOU=${orgId}`);
    expect(identity.organisationName).toBe('Moneywise, Ltd+OU=other');
  });

  it('hands each caller its own copy of a cached parse: changing one answer changes nothing for the next caller', () => {
    const first = certificateIdentity(cert);
    first.softwareId = 'tampered';
    const again = certificateIdentity(leafOf(config.participants.demo.transportCert));
    expect(again.softwareId).toBe(softwareId);
    // Another certificate has its own answer.
    expect(certificateIdentity(leafOf(config.participants.second.transportCert)).softwareId).toBe(
      config.participants.second.softwareId,
    );
  });
});

describe("signedBy remembers a signature check by both certificates' bytes, never trust", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** How many signatures `work` verifies (X509Certificate#verify calls). */
  function verificationsIn(work: () => void): number {
    const verify = vi.spyOn(X509Certificate.prototype, 'verify');
    work();
    const count = verify.mock.calls.length;
    verify.mockRestore();
    return count;
  }

  it('verifies a certificate once, then answers from memory for the same bytes (a new object of them too)', () => {
    const ownCa = leafOf(config.ca.directory);
    const own = leafOf(config.participants.second.transportCert);
    expect(verificationsIn(() => expect(signedBy(own, ownCa)).toBe(true))).toBe(1);
    expect(verificationsIn(() => expect(signedBy(own, ownCa)).toBe(true))).toBe(0);
    const sameBytes = leafOf(config.participants.second.transportCert);
    expect(verificationsIn(() => expect(signedBy(sameBytes, leafOf(config.ca.directory))).toBe(true))).toBe(
      0,
    );
  });

  it("never answers for another certificate: the impostor with Moneywise's subject is verified and refused", () => {
    expect(signedBy(cert, directoryCa)).toBe(true);
    const impostor = leafOf(config.negative.untrustedTransportCert);
    expect(signedBy(impostor, directoryCa)).toBe(false);
    expect(signedBy(impostor, directoryCa)).toBe(false);
    expect(issuedBy(impostor, directoryCa)).toBe(false);
  });

  it('never answers for another issuer: the same certificate against the server CA or the untrusted CA', () => {
    expect(signedBy(cert, directoryCa)).toBe(true);
    expect(signedBy(cert, leafOf(config.ca.server))).toBe(false);
    expect(signedBy(cert, leafOf(config.negative.untrustedCa))).toBe(false);
    expect(signedBy(cert, directoryCa)).toBe(true);
  });

  it('judges the dates at each call: a remembered signature does not keep a certificate in date', () => {
    expect(issuedBy(cert, directoryCa)).toBe(true);
    expect(issuedBy(cert, directoryCa, Date.parse(cert.validTo) + 1000)).toBe(false);
    expect(issuedBy(cert, directoryCa, Date.parse(cert.validFrom) - 1000)).toBe(false);
    expect(issuedBy(cert, directoryCa)).toBe(true);
  });
});

describe('issuedBy and directoryParticipantOf', () => {
  it('names the participant of a transport certificate the Directory CA issued, in date', () => {
    expect(issuedBy(cert, directoryCa)).toBe(true);
    expect(directoryParticipantOf(cert, directoryCa)).toBe(softwareId);
  });

  it("refuses the impostor: Moneywise's exact subject, issued by an untrusted CA", () => {
    const impostor = leafOf(config.negative.untrustedTransportCert);
    expect(certificateIdentity(impostor).softwareId).toBe(softwareId);
    expect(signedBy(impostor, directoryCa)).toBe(false);
    expect(directoryParticipantOf(impostor, directoryCa)).toBeUndefined();
  });

  it('refuses the expired transport certificate, though the Directory CA signed it', () => {
    const expired = leafOf(config.negative.expiredTransportCert);
    expect(signedBy(expired, directoryCa)).toBe(true);
    expect(issuedBy(expired, directoryCa)).toBe(false);
    expect(directoryParticipantOf(expired, directoryCa)).toBeUndefined();
    // In its own validity window it would be Moneywise's: the date is what refuses it.
    expect(directoryParticipantOf(expired, directoryCa, Date.parse(expired.validFrom) + 1000)).toBe(
      softwareId,
    );
  });

  it("refuses the server certificates: the root anchors them too, but they are nobody's", () => {
    const bankOp = leafOf(config.bankOp.serverCert);
    expect(signedBy(bankOp, leafOf(config.ca.server))).toBe(true);
    expect(directoryParticipantOf(bankOp, directoryCa)).toBeUndefined();
  });

  it('leaves revocation to the directory: the revoked certificate is still issued by its CA', () => {
    const revoked = leafOf(config.negative.revokedTransportCert);
    expect(directoryParticipantOf(revoked, directoryCa)).toBe(softwareId);
  });
});

describe('subjectDn', () => {
  it('writes the transport certificate subject in RFC 4514 order (CN first, C last)', () => {
    expect(subjectDn(cert)).toBe(
      `CN=${softwareId},2.5.4.97=PSDGB-OB-${orgId},OU=${orgId},O=Moneywise Ltd,C=GB`,
    );
  });
});

describe('sameDistinguishedName', () => {
  const rfc4514 = () =>
    `CN=${softwareId},organizationIdentifier=PSDGB-OB-${orgId},OU=${orgId},O=Moneywise Ltd,C=GB`;
  const certificateOrder = () =>
    `C=GB, O=Moneywise Ltd, OU=${orgId}, 2.5.4.97=PSDGB-OB-${orgId}, CN=${softwareId}`;

  it('matches the RFC 4514 order (last RDN first) against the certificate', () => {
    expect(sameDistinguishedName(subjectDn(cert), rfc4514())).toBe(true);
  });

  it('matches the certificate order (first RDN first) against the certificate', () => {
    expect(sameDistinguishedName(subjectDn(cert), certificateOrder())).toBe(true);
    expect(sameDistinguishedName(certificateOrder(), rfc4514())).toBe(true);
  });

  it('reads RFC 4514 escapes: a backslash before a special, hex pairs (UTF-8), and quoted values', () => {
    expect(sameDistinguishedName('CN=a\\,b,O=Moneywise\\2C Ltd', 'CN=a\\2Cb,O=Moneywise\\, Ltd')).toBe(true);
    expect(sameDistinguishedName('CN=Caf\\C3\\A9,C=GB', 'C=GB,CN=Café')).toBe(true);
    expect(sameDistinguishedName('O="Moneywise, Ltd",C=GB', 'C=GB,O=Moneywise\\, Ltd')).toBe(true);
    expect(sameDistinguishedName('CN=\\#1,C=GB', 'C=GB,CN=\\231')).toBe(true);
    // An escaped backslash followed by "2C" is a backslash and the text 2C, not a comma.
    expect(sameDistinguishedName('CN=a\\\\2Cb', 'CN=a\\,b')).toBe(false);
  });

  it('treats a multi-valued RDN as a set', () => {
    expect(sameDistinguishedName('CN=a+OU=b,O=c', 'O=c,OU=b+CN=a')).toBe(true);
  });

  it('refuses another subject: a different value, a missing or extra RDN, or RDNs merely shuffled', () => {
    const subject = subjectDn(cert);
    expect(sameDistinguishedName(subject, rfc4514().replace(`CN=${softwareId}`, 'CN=someone-else'))).toBe(
      false,
    );
    expect(sameDistinguishedName(subject, rfc4514().replace('O=Moneywise Ltd', 'O=moneywise ltd'))).toBe(
      false,
    );
    expect(sameDistinguishedName(subject, `CN=${softwareId},OU=${orgId},O=Moneywise Ltd,C=GB`)).toBe(false);
    expect(sameDistinguishedName(subject, `${rfc4514()},L=London`)).toBe(false);
    expect(
      sameDistinguishedName(
        subject,
        `OU=${orgId},CN=${softwareId},organizationIdentifier=PSDGB-OB-${orgId},O=Moneywise Ltd,C=GB`,
      ),
    ).toBe(false);
    expect(sameDistinguishedName('CN=a+OU=b,O=c', 'CN=a,OU=b,O=c')).toBe(false);
  });

  it('refuses what does not parse, and empty names', () => {
    expect(sameDistinguishedName(subjectDn(cert), 'not a distinguished name')).toBe(false);
    expect(sameDistinguishedName('', '')).toBe(false);
    expect(sameDistinguishedName('XYZ=1', 'XYZ=1')).toBe(false);
  });
});
