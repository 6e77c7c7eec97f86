// Which certificate stands for a participant (OB DCR v3.3 §4.2, RFC 8705 §3): a transport certificate the
// directory issued to that organisation and software, and still active there. bank-op applies it at
// registration and to the certificate a token is bound to; bank-api again to the certificate a bound token
// is presented with. Each party checks the chain itself (TLS) and asks the directory for the record.

/** The part of the directory's certificate record (GET /certificate-status) the rule reads. */
export interface TransportCertificateRecord {
  status: 'active' | 'revoked' | 'expired' | 'unknown';
  type?: 'transport' | 'signing';
  orgId?: string;
  softwareId?: string;
}

/**
 * Why the directory's record does not show an active transport certificate of `expected`, as a sentence;
 * undefined when it does.
 */
export function transportCertificateMismatch(
  record: TransportCertificateRecord | undefined,
  expected: { orgId: string; softwareId: string },
): string | undefined {
  if (record?.status !== 'active') {
    return `The directory reports the transport certificate as ${record?.status ?? 'unknown'}`;
  }
  if (
    record.type !== 'transport' ||
    record.orgId !== expected.orgId ||
    record.softwareId !== expected.softwareId
  ) {
    return `The directory knows this certificate as a ${record.type ?? '?'} certificate of ${record.orgId ?? '?'}/${record.softwareId ?? '?'}, not as a transport certificate of ${expected.orgId}/${expected.softwareId}`;
  }
  return undefined;
}
