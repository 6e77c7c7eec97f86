// Distinguished names of client certificates as RFC 8705 §2.1.2 registers them: `tls_client_auth_subject_dn`
// is an RFC 4514 string. RFC 4514 §2.1 writes the RDNs last-to-first (CN first for a certificate that
// starts with C), while many tools print them in certificate order (C first), so both orders of the same
// RDNs are the same subject here. Parsing is @peculiar/x509's `Name`; two gaps in it are bridged below.
import 'reflect-metadata';
import type { X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/**
 * Attribute types @peculiar/x509 does not know by name. UK OB certificates carry organizationIdentifier
 * (PSDGB-OB-<orgId>), which OpenSSL and Node print by name and RFC 4514 §2.3 writes as its OID.
 */
const EXTRA_NAMES = { '2.5.4.97': 'organizationIdentifier' };

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

/** The certificate's subject as an RFC 4514 string: last RDN first, comma-separated (RFC 4514 §2.1). */
export function subjectDn(cert: X509Certificate): string {
  const rdns = new x509.X509Certificate(cert.raw).subjectName.toJSON();
  return rdns
    .reverse()
    .map((rdn) => new x509.Name([rdn]).toString())
    .join(',');
}

/**
 * Whether two distinguished names are the same subject: the same RDNs with the same attributes and
 * values, in the same order or exactly reversed (certificate order vs RFC 4514 order), whatever their
 * escaping. Anything that does not parse is no match.
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
