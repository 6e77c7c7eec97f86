// Whom a participant certificate names, and who issued it: the one parser of certificate subjects for every
// party. UK Open Banking directories write the organisation id in OU and the software id in CN (OB DCR v3.3
// §4.2), and RFC 8705 §2.1.2 registers the subject as an RFC 4514 string (`tls_client_auth_subject_dn`).
// The subject is read from the certificate's DER with @peculiar/x509, never from Node's printed subject
// text, and an attribute that appears more than once names nobody: a subject with two CNs is not taken
// to be either software.
import 'reflect-metadata';
import type { X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { Lru } from './lru.js';

/**
 * Attribute types @peculiar/x509 does not know by name. UK OB certificates carry organizationIdentifier
 * (ETSI EN 319 412-1, PSDGB-OB-<orgId>), which RFC 4514 §2.3 writes as its OID.
 */
const ORGANIZATION_IDENTIFIER = '2.5.4.97';
const EXTRA_NAMES = { [ORGANIZATION_IDENTIFIER]: 'organizationIdentifier' };

/** What a participant certificate's subject says about its holder. */
export interface CertificateIdentity {
  /** OU: the organisation id the directory issued the certificate to (absent unless exactly one OU). */
  orgId?: string;
  /** CN: the software id (absent unless exactly one CN). */
  softwareId?: string;
  /** O: the organisation's name. */
  organisationName?: string;
  /** 2.5.4.97 organizationIdentifier, e.g. PSDGB-OB-<orgId>. */
  organisationIdentifier?: string;
  /** C. */
  country?: string;
  /** The whole subject as an RFC 4514 string (RFC 8705 §2.1.2): last RDN first, e.g. `CN=…,OU=…,O=…,C=GB`. */
  subjectDn: string;
}

function subjectName(cert: X509Certificate): x509.Name {
  return new x509.X509Certificate(cert.raw).subjectName;
}

/** The single value of an attribute type, or undefined when the subject has none or several. */
function single(name: x509.Name, type: string): string | undefined {
  const values = name.getField(type);
  return values.length === 1 ? values[0] : undefined;
}

/** The subject of a certificate as an RFC 4514 string: last RDN first, comma-separated (RFC 4514 §2.1). */
export function subjectDn(cert: X509Certificate): string {
  return rfc4514(subjectName(cert));
}

function rfc4514(name: x509.Name): string {
  return name
    .toJSON()
    .reverse()
    .map((rdn) => new x509.Name([rdn]).toString())
    .join(',');
}

/**
 * Parsed subjects by the SHA-256 of the certificate's DER. Parsing ASN.1 in JavaScript costs more than a
 * token request's signatures, and a parse depends on the bytes alone: this caches no trust (whether the
 * certificate was issued by the directory, is valid or revoked is decided per request by the callers).
 */
const parsedSubjects = new Map<string, CertificateIdentity>();
const PARSED_SUBJECTS_KEPT = 1000;

/** OB DCR v3.3 §4.2: the organisation (OU) and software (CN) a certificate was issued to, and its subject. */
export function certificateIdentity(cert: X509Certificate): CertificateIdentity {
  const fingerprint = cert.fingerprint256;
  let identity = parsedSubjects.get(fingerprint);
  if (!identity) {
    identity = parseIdentity(cert);
    if (parsedSubjects.size >= PARSED_SUBJECTS_KEPT) parsedSubjects.clear();
    parsedSubjects.set(fingerprint, identity);
  }
  return { ...identity };
}

function parseIdentity(cert: X509Certificate): CertificateIdentity {
  const name = subjectName(cert);
  const identity: CertificateIdentity = { subjectDn: rfc4514(name) };
  const fields = {
    orgId: single(name, 'OU'),
    softwareId: single(name, 'CN'),
    organisationName: single(name, 'O'),
    organisationIdentifier: single(name, ORGANIZATION_IDENTIFIER),
    country: single(name, 'C'),
  };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) identity[key as keyof typeof fields] = value;
  }
  return identity;
}

/**
 * Signature checks by the SHA-256 of both certificates' DER: whether one certificate's key signed another
 * depends on their bytes alone, so an answer holds for the life of the process whatever CA a caller trusts
 * then (a CA replaced at runtime is other bytes, another key). No trust is cached: dates are judged at each
 * call and status or revocation by the callers, per request.
 */
const signatureChecks = new Lru<string, boolean>(1000);

/** `issuer`'s own key signed `cert` (RFC 5280 §6.1.3 (a)(1)), and names it as the issuer. Dates aside. */
export function signedBy(cert: X509Certificate, issuer: X509Certificate): boolean {
  const key = `${issuer.fingerprint256} ${cert.fingerprint256}`;
  let signed = signatureChecks.get(key);
  if (signed === undefined) {
    signed = cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
    signatureChecks.set(key, signed);
  }
  return signed;
}

/**
 * Issued by `issuer` itself and valid now (RFC 8705 §2.1, PKI method). A chain to the sandbox root alone is
 * not enough: the root also anchors the server CA, whose certificates are not participants'.
 */
export function issuedBy(cert: X509Certificate, issuer: X509Certificate, now = Date.now()): boolean {
  return signedBy(cert, issuer) && Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo);
}

/**
 * The participant (software id, the CN of UK OB transport certificates) a certificate identifies, when the
 * Directory CA itself issued it and it is in date; undefined otherwise.
 */
export function directoryParticipantOf(
  cert: X509Certificate,
  directoryCa: X509Certificate,
  now = Date.now(),
): string | undefined {
  return issuedBy(cert, directoryCa, now) ? certificateIdentity(cert).softwareId : undefined;
}

/** Specials that stay escaped after a hex pair is decoded (RFC 4514 §2.4), so the parser keeps them as text. */
const SPECIAL = /[,+"\\<>;=# ]/;

/**
 * RFC 4514 §3 allows any character as a hex-pair escape (`\2C` for a comma, `\C3\A9` for é). The parser
 * only understands a backslash before the character itself, so runs of hex pairs are decoded from UTF-8
 * first. Other escapes (`\,`, `\\`) are consumed whole, so `\\2C` stays a backslash followed by "2C".
 */
function decodeHexPairs(dn: string): string {
  return dn.replace(/(?:\\[0-9A-Fa-f]{2})+|\\[\s\S]/g, (sequence) => {
    if (!/^\\[0-9A-Fa-f]{2}/.test(sequence)) return sequence;
    const bytes = Buffer.from(sequence.replaceAll('\\', ''), 'hex');
    return [...bytes.toString('utf8')].map((char) => (SPECIAL.test(char) ? `\\${char}` : char)).join('');
  });
}

/** Each RDN as one text, its attributes sorted (a multi-valued RDN is a set), in the order given. */
function rdnsOf(dn: string): string[] {
  return new x509.Name(decodeHexPairs(dn), EXTRA_NAMES).toJSON().map((rdn) =>
    Object.entries(rdn)
      .flatMap(([type, values]) => values.map((value) => JSON.stringify([type, value])))
      .sort()
      .join('+'),
  );
}

/**
 * RFC 8705 §2.1.2: whether two distinguished names are the same subject: the same RDNs with the same
 * attributes and values, in the same order or exactly reversed (RFC 4514 §2.1 writes them last-to-first,
 * many tools in certificate order), whatever their escaping. Anything that does not parse is no match.
 */
export function sameDistinguishedName(a: string, b: string): boolean {
  try {
    const left = rdnsOf(a);
    const right = rdnsOf(b);
    if (left.length === 0 || left.length !== right.length) return false;
    const inOrder = left.every((rdn, i) => rdn === right[i]);
    const reversed = left.every((rdn, i) => rdn === right[right.length - 1 - i]);
    return inOrder || reversed;
  } catch {
    return false;
  }
}
