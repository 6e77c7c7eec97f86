// tls_client_auth_subject_dn (RFC 8705 §2.1.2) against the certificate: RFC 4514 strings list the RDNs
// last-to-first, tools often print them in certificate order; both are the subject, with any RFC 4514
// escaping. Anything else is another subject.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { isolatedConfig, removeTestData } from '@fapi-sandbox/fapi-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sameDistinguishedName, subjectDn } from '../src/mtls/distinguished-name.js';

let config: SandboxConfig;
let cert: X509Certificate;
let orgId: string;
let softwareId: string;

beforeAll(async () => {
  config = await isolatedConfig();
  const participant = config.participants.demo;
  cert = new X509Certificate(readFileSync(participant.transportCert));
  orgId = participant.orgId;
  softwareId = participant.softwareId;
});
afterAll(() => {
  if (config) removeTestData(config);
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
