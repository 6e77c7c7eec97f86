// The plan of certs/: every file the generator writes, what it is, who uses it and why. The generator,
// the freshness check, the manifest, `--explain` and certs/README.md all read this one list, so they
// cannot disagree about what a complete PKI is.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Participant, Party, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { CA_VALIDITY_DAYS, LEAF_VALIDITY_DAYS } from './policy.js';
import { caNames } from './subjects.js';

/** The CN of bank-api's transport certificate: its name at bank-op, as a resource server. */
export const BANK_API_CLIENT_NAME = 'bank-api';

/** Bumped when the layout or the content of files changes, so `--ensure` regenerates old PKIs. */
export const PKI_FORMAT_VERSION = 1;

export type PkiFileKind =
  | 'certificate'
  | 'certificate-chain'
  | 'trust-bundle'
  | 'private-key'
  | 'private-jwks'
  | 'public-jwks'
  | 'manifest'
  | 'readme';

export type PkiFileGroup = 'authorities' | 'servers' | 'participants' | 'signing-keys' | 'negative' | 'about';

export const groupTitles: Record<PkiFileGroup, string> = {
  authorities: 'Certificate authorities and trust bundles',
  servers: 'TLS server certificates',
  participants: 'Participants (TPPs registered in the directory, and bank-api as a client of bank-op)',
  'signing-keys': 'Signing keys of the bank and the directory',
  negative: 'Negative fixtures (for the attacks FAPI stops)',
  about: 'About this folder',
};

export interface PkiFileDescription {
  kind: PkiFileKind;
  group: PkiFileGroup;
  what: string;
  usedBy: string[];
  why: string;
}

export interface PlannedFile extends PkiFileDescription {
  /** The `SandboxConfig` property naming the file (e.g. `participants.demo.transportCert`). */
  id: string;
  path: string;
  /** Relative to the certs folder, always with `/`. */
  relativePath: string;
  /** Holds private key material: written with mode 0600. */
  secret: boolean;
  /** Id of the file holding the CA that signed this file's leaf certificate (or its JWKs' x5c). */
  issuerId?: string;
  /** Expired by design: the freshness check must not try to renew it. */
  expiredOnPurpose?: boolean;
  /** Trust bundles: ids of the CA certificate files it concatenates, in order. */
  bundleOf?: string[];
  /** Private keys: id of the certificate file holding the matching public key. */
  keyOf?: string;
  /**
   * A key nobody certifies, added after the first PKI format: `pnpm pki:ensure` writes it into an
   * existing PKI that lacks it instead of regenerating everything (encryption.ts).
   */
  addable?: boolean;
}

/** Not in `SandboxConfig` (no app needs it): kept so the issuing CAs can be re-issued under the same root. */
export function rootKeyPath(config: SandboxConfig): string {
  return path.join(config.certsDir, 'ca', 'root-ca.key');
}

export function readmePath(config: SandboxConfig): string {
  return path.join(config.certsDir, 'README.md');
}

type ServerKey = 'directory' | 'bankOp' | 'bankApi' | 'tpp';
export const serverKeys: ServerKey[] = ['directory', 'bankOp', 'bankApi', 'tpp'];

/**
 * Every name a client may use to reach the party (`<name>.<base domain>`, see config.ts), plus `localhost`
 * for quick local checks on the machine that runs the sandbox, whatever the base domain.
 */
export function serverHostnames(party: Party): string[] {
  return [...new Set([party.web.host, ...(party.mtls ? [party.mtls.host] : []), 'localhost'])];
}

function listenersOf(party: Party): string {
  const origins = [
    party.web.origin,
    ...(party.mtls && party.mtls.origin !== party.web.origin ? [party.mtls.origin] : []),
  ];
  return origins.join(' and ');
}

function mtlsListeners(config: SandboxConfig): string[] {
  return [config.directory, config.bankOp, config.bankApi].map(
    (party) => `${party.name}: its mTLS listener ${(party.mtls ?? party.web).origin}`,
  );
}

const years = (days: number) => Math.round(days / 365);

function authorityFiles(config: SandboxConfig, file: FileFactory): PlannedFile[] {
  return [
    file('ca.root', config.ca.root, {
      kind: 'certificate',
      group: 'authorities',
      what: `Root CA certificate "${caNames.root}" (self-signed, ${years(CA_VALIDITY_DAYS)} years).`,
      usedBy: [
        'every party, through the two trust bundles below',
        'curl, your browser or the conformance suite, if you choose to trust the sandbox',
      ],
      why:
        'The one trust anchor of the sandbox: both issuing CAs chain to it. A real ecosystem has separate ' +
        "anchors (the public web PKI for servers, the directory's CA for participants); one root keeps a " +
        'laptop setup to a single import.',
    }),
    file('ca.rootKey', rootKeyPath(config), {
      kind: 'private-key',
      group: 'authorities',
      what: 'Private key of the root CA (ECDSA P-256, PKCS#8).',
      usedBy: [
        'pnpm pki:ensure and pnpm pki --keep-root: re-issue the issuing CAs and every leaf under the same root',
      ],
      why:
        'Kept so that renewing certificates does not replace a root you may have imported into a browser. ' +
        'Whoever reads it can mint certificates that root vouches for: keep certs/ to yourself, and remove ' +
        'the root from your trust store when you are done with the sandbox.',
      keyOf: 'ca.root',
    }),
    file('ca.server', config.ca.server, {
      kind: 'certificate',
      group: 'authorities',
      what: `Issuing CA "${caNames.server}": signs the TLS server certificate of every party.`,
      usedBy: [
        'every TLS listener sends it after its own certificate (servers/*.crt)',
        'every HTTPS client, inside ca/server-trust-bundle.pem',
      ],
      why:
        'Keeps server authentication apart from participant identity: its certificates carry only the ' +
        'serverAuth usage, so none of them can pass as a TPP client certificate.',
      issuerId: 'ca.root',
    }),
    file('ca.directory', config.ca.directory, {
      kind: 'certificate',
      group: 'authorities',
      what: `Issuing CA "${caNames.directory}": signs participants' transport (mTLS client) and signing certificates.`,
      usedBy: [
        ...mtlsListeners(config).map((l) => `${l}, inside ca/client-trust-bundle.pem`),
        'directory: publishes it',
      ],
      why:
        "As in UK Open Banking, the directory is the CA of the ecosystem's participants: a bank accepts a " +
        "TPP's client certificate because the directory issued it (RFC 8705 §2.1, PKI method).",
      issuerId: 'ca.root',
    }),
    file('ca.directoryKey', config.ca.directoryKey, {
      kind: 'private-key',
      group: 'authorities',
      what: 'Private key of the Directory CA (ECDSA P-256, PKCS#8).',
      usedBy: ['directory: signs certificates for the CSRs participants upload'],
      why:
        'Only the directory issues participant certificates. In a real ecosystem this key lives in the ' +
        "directory's HSM and nowhere else.",
      keyOf: 'ca.directory',
    }),
    file('ca.serverTrustBundle', config.ca.serverTrustBundle, {
      kind: 'trust-bundle',
      group: 'authorities',
      what: 'Trust bundle: root CA, then Server CA.',
      usedBy: [
        'every HTTPS client in the sandbox (fapi-core sandboxFetch / createSandboxAgent, the TPP back end)',
        'curl --cacert, NODE_EXTRA_CA_CERTS, Playwright',
      ],
      why:
        'FAPI 2.0 Security Profile §5.2.1 requires a TLS server certificate check; with this file the check ' +
        'passes without ever being turned off.',
      bundleOf: ['ca.root', 'ca.server'],
    }),
    file('ca.clientTrustBundle', config.ca.clientTrustBundle, {
      kind: 'trust-bundle',
      group: 'authorities',
      what: 'Trust bundle: root CA, then Directory CA.',
      usedBy: mtlsListeners(config),
      why:
        "The ecosystem's trust list for mTLS (FAPI 2.0 Security Profile §5.2.2.1): a listener asks for a " +
        'client certificate and accepts one the directory issued, the basis of mTLS client authentication ' +
        'and certificate-bound access tokens (RFC 8705 §2 and §3).',
      bundleOf: ['ca.root', 'ca.directory'],
    }),
  ];
}

function serverFiles(config: SandboxConfig, file: FileFactory): PlannedFile[] {
  return serverKeys.flatMap((key) => {
    const party = config[key];
    const listeners = `${party.name}: ${listenersOf(party)}`;
    return [
      file(`${key}.serverCert`, party.serverCert, {
        kind: 'certificate-chain',
        group: 'servers',
        what:
          `TLS server certificate of ${party.title} (leaf, then the Server CA; ${LEAF_VALIDITY_DAYS} days). ` +
          `Names: ${serverHostnames(party).join(', ')}.`,
        usedBy: [listeners],
        why:
          `Proves to every client that it reached the real ${party.title} (FAPI 2.0 Security Profile §5.2.1). ` +
          'The Server CA travels with it so a client needs only the root.',
        issuerId: 'ca.server',
      }),
      file(`${key}.serverKey`, party.serverKey, {
        kind: 'private-key',
        group: 'servers',
        what: `Private key of ${party.title}'s TLS server certificate (ECDSA P-256, PKCS#8).`,
        usedBy: [listeners],
        why: 'The TLS handshake is signed with it: without the key nobody can present the certificate.',
        keyOf: `${key}.serverCert`,
      }),
    ];
  });
}

function participantUse(config: SandboxConfig, which: 'demo' | 'second') {
  if (which === 'demo') {
    return {
      transport: [
        `tpp back end: client certificate for bank-op's mTLS endpoints (${config.bankOp.mtls.origin}: PAR, token, ...) and for bank-api (${(config.bankApi.mtls ?? config.bankApi.web).origin})`,
        `tpp back end: authenticates to the directory's SSA endpoint (${config.directory.mtls.origin})`,
      ],
      signing: ['tpp back end: signs private_key_jwt client assertions and request objects'],
    };
  }
  return {
    transport: [
      'tests: a second registered client, for the cross-client attacks (stolen code, token, request_uri)',
    ],
    signing: ['tests: the second client signs its own client assertions and request objects'],
  };
}

function participantFiles(config: SandboxConfig, file: FileFactory): PlannedFile[] {
  return (['demo', 'second'] as const).flatMap((which) => {
    const p: Participant = config.participants[which];
    const id = `participants.${which}`;
    const use = participantUse(config, which);
    const identity = `${p.clientName} (${p.orgName}, org ${p.orgId}, software ${p.softwareId})`;
    return [
      file(`${id}.transportCert`, p.transportCert, {
        kind: 'certificate-chain',
        group: 'participants',
        what:
          `Transport certificate of ${identity}: mTLS client certificate, leaf then Directory CA. ` +
          `Subject C=GB, O=${p.orgName}, OU=${p.orgId}, organizationIdentifier=PSDGB-OB-${p.orgId}, CN=${p.softwareId}.`,
        usedBy: use.transport,
        why:
          'tls_client_auth (RFC 8705 §2.1): the bank knows the client by this certificate, and binds access ' +
          'tokens to its thumbprint (cnf x5t#S256, RFC 8705 §3) so a stolen token is useless without the key.',
        issuerId: 'ca.directory',
      }),
      file(`${id}.encryptionJwks`, p.encryptionJwks!, {
        kind: 'private-jwks',
        group: 'participants',
        what: `${p.clientName}'s encryption keys (use enc): RSA-OAEP-256 (RSA 2048) and ECDH-ES (P-256), private JWKS.`,
        usedBy: ['tpp back end: decrypts the ID tokens the bank encrypts to it (OIDC Core §10.2)'],
        why: 'Only the TPP can read an ID token encrypted to these keys; the bank signs it first, so it is still verifiable.',
        addable: true,
      }),
      file(`${id}.encryptionPublicJwks`, p.encryptionPublicJwks!, {
        kind: 'public-jwks',
        group: 'participants',
        what: `Public half of ${p.clientName}'s encryption keys (same kid, alg, use).`,
        usedBy: [
          "directory: publishes them in the software's JWKS beside the signing keys",
          'bank-op: encrypts ID tokens to them for a client that registered id_token_encrypted_response_alg',
        ],
        why: "The bank finds the key to encrypt to where it finds the client's other keys: the jwks_uri.",
        addable: true,
      }),
      file(`${id}.transportKey`, p.transportKey, {
        kind: 'private-key',
        group: 'participants',
        what: `Private key of ${p.clientName}'s transport certificate (ECDSA P-256, PKCS#8).`,
        usedBy: use.transport,
        why: 'Proves possession of the transport certificate in every mTLS handshake.',
        keyOf: `${id}.transportCert`,
      }),
      file(`${id}.signingJwks`, p.signingJwks, {
        kind: 'private-jwks',
        group: 'participants',
        what:
          `Private signing keys of ${p.clientName}: one PS256 (RSA 2048) and one ES256 (P-256) key, each with ` +
          'kid (its RFC 7638 thumbprint), alg, use "sig" and x5c (a signing certificate from the Directory CA).',
        usedBy: use.signing,
        why:
          'FAPI clients authenticate with private_key_jwt (OpenID Connect Core §9) and sign their requests ' +
          '(RFC 9101); PS256 and ES256 are the algorithms FAPI allows.',
        issuerId: 'ca.directory',
      }),
      file(`${id}.signingPublicJwks`, p.signingPublicJwks, {
        kind: 'public-jwks',
        group: 'participants',
        what: `Public half of ${p.clientName}'s signing keys (same kid, alg, use and x5c).`,
        usedBy: [
          "directory: publishes it as the software statement's JWKS",
          "bank-op: verifies the client's assertions and request objects with it",
        ],
        why:
          'Only the public half leaves the TPP. The x5c chain lets a verifier check that the directory vouches ' +
          'for each key.',
        issuerId: 'ca.directory',
      }),
    ];
  });
}

/** bank-api as a client of bank-op's introspection endpoint (RFC 7662 §2.1 over RFC 8705 §2.1). */
function bankApiClientFiles(config: SandboxConfig, file: FileFactory): PlannedFile[] {
  const use = [
    `bank-api: client certificate for bank-op's introspection endpoint (${config.bankOp.mtls.origin}), to check opaque access tokens`,
    'bank-op: registers bank-api as a resource-server client (tls_client_auth) with its subject',
  ];
  return [
    file('bankApi.introspectionCert', config.bankApi.introspectionCert, {
      kind: 'certificate-chain',
      group: 'participants',
      what:
        `Transport certificate of bank-api (${config.bank.orgName}, org ${config.bank.orgId}): mTLS client certificate, leaf then Directory CA. ` +
        `Subject C=GB, O=${config.bank.orgName}, OU=${config.bank.orgId}, CN=${BANK_API_CLIENT_NAME}.`,
      usedBy: use,
      why:
        'The bank is a directory participant too: bank-api authenticates to the introspection endpoint with ' +
        'this certificate (tls_client_auth, RFC 8705 §2.1), so only the resource server learns what an opaque token means.',
      issuerId: 'ca.directory',
    }),
    file('bankApi.introspectionKey', config.bankApi.introspectionKey, {
      kind: 'private-key',
      group: 'participants',
      what: "Private key of bank-api's transport certificate (ECDSA P-256, PKCS#8).",
      usedBy: use,
      why: 'Proves possession of the certificate in the mTLS handshake with bank-op.',
      keyOf: 'bankApi.introspectionCert',
    }),
  ];
}

function signingKeyFiles(config: SandboxConfig, file: FileFactory): PlannedFile[] {
  return [
    file('bankOp.signingJwks', config.bankOp.signingJwks, {
      kind: 'private-jwks',
      group: 'signing-keys',
      what: "Bank OpenID Provider's signing keys: PS256 (RSA 2048) and ES256 (P-256), private JWKS with kid, alg, use.",
      usedBy: [
        `bank-op: oidc-provider's jwks configuration; signs ID tokens, JWT access tokens (RFC 9068) and JARM responses; publishes the public half at the jwks_uri of ${config.bankOp.issuer}`,
      ],
      why:
        'FAPI permits PS256 and ES256 for signatures; the provider offers both so clients of either kind can ' +
        'verify what it signs.',
    }),
    file('bankOp.encryptionJwks', config.bankOp.encryptionJwks, {
      kind: 'private-jwks',
      group: 'signing-keys',
      what: "Bank OpenID Provider's encryption keys (use enc): RSA-OAEP-256 (RSA 2048) and ECDH-ES (P-256), private JWKS with kid, alg, use.",
      usedBy: [
        `bank-op: decrypts encrypted request objects (RFC 9101 §6.1); publishes the public half at the jwks_uri of ${config.bankOp.issuer}`,
        "clients: encrypt a request object to the bank's published key (RFC 7516, OIDC Core §10.2)",
      ],
      why:
        'A request object travels through the browser: encrypting it keeps its content from the browser, its ' +
        'extensions and logs. Separate keys from the signing ones (RFC 7517 §4.2 use).',
      addable: true,
    }),
    file('bankApi.signingJwks', config.bankApi.signingJwks, {
      kind: 'private-jwks',
      group: 'signing-keys',
      what: "Bank API's message signing keys: PS256 (RSA 2048) and ES256 (P-256), private JWKS with kid, alg, use.",
      usedBy: [
        `bank-api: signs its responses to signed requests (RFC 9421, FAPI 2.0 HTTP Signatures §5.3.2.1); publishes the public half at ${config.bankApi.web.origin}/jwks`,
        "tpp back end: verifies the bank's response signatures with the public half",
      ],
      why:
        'Non-repudiation of resource responses (FAPI 2.0 Message Signing NR6): the bank cannot deny an answer ' +
        "signed with its key. Its own keys, apart from bank-op's: each party signs for itself.",
      addable: true,
    }),
    file('directory.ssaSigningJwks', config.directory.ssaSigningJwks, {
      kind: 'private-jwks',
      group: 'signing-keys',
      what: "Directory's software statement signing keys: PS256 (RSA 2048) and ES256 (P-256), private JWKS.",
      usedBy: [
        'directory: signs software statement assertions (SSAs) and publishes the public half',
        "bank-op: verifies the SSA in dynamic client registration with the directory's public keys",
      ],
      why:
        "An SSA is the directory's signed statement about a TPP's software (RFC 7591 §2.3): a bank registers " +
        'a client only when that signature verifies.',
    }),
  ];
}

function negativeFiles(config: SandboxConfig, file: FileFactory): PlannedFile[] {
  const demo = config.participants.demo;
  const tests = 'tests and attack demos: presenting it must fail';
  return [
    file('negative.expiredTransportCert', config.negative.expiredTransportCert, {
      kind: 'certificate-chain',
      group: 'negative',
      what: `Expired transport certificate with ${demo.clientName}'s identity, issued by the Directory CA (leaf, then Directory CA).`,
      usedBy: [tests],
      why:
        'A trusted issuer is not enough: validity dates are part of path validation (RFC 5280 §6.1.3), so an ' +
        'expired client certificate must be refused.',
      issuerId: 'ca.directory',
      expiredOnPurpose: true,
    }),
    file('negative.expiredTransportKey', config.negative.expiredTransportKey, {
      kind: 'private-key',
      group: 'negative',
      what: 'Private key of the expired transport certificate.',
      usedBy: [tests],
      why: 'Lets a test complete a handshake attempt with the expired certificate.',
      keyOf: 'negative.expiredTransportCert',
    }),
    file('negative.untrustedCa', config.negative.untrustedCa, {
      kind: 'certificate',
      group: 'negative',
      what: `Self-signed "${caNames.untrusted}", in no trust bundle. Its key is thrown away.`,
      usedBy: [tests],
      why: 'The issuer of the impostor certificate below.',
    }),
    file('negative.untrustedTransportCert', config.negative.untrustedTransportCert, {
      kind: 'certificate-chain',
      group: 'negative',
      what: `Transport certificate carrying ${demo.clientName}'s exact subject, issued by the Untrusted CA (leaf, then Untrusted CA).`,
      usedBy: [tests],
      why:
        'An impersonation attempt: same names, wrong issuer. mTLS listeners must not authorize it, which is ' +
        'why a client is never identified by subject alone but by a chain to the directory.',
      issuerId: 'negative.untrustedCa',
    }),
    file('negative.untrustedTransportKey', config.negative.untrustedTransportKey, {
      kind: 'private-key',
      group: 'negative',
      what: 'Private key of the impostor transport certificate.',
      usedBy: [tests],
      why: 'Lets a test complete a handshake attempt with the impostor certificate.',
      keyOf: 'negative.untrustedTransportCert',
    }),
    file('negative.revokedTransportCert', config.negative.revokedTransportCert, {
      kind: 'certificate-chain',
      group: 'negative',
      what:
        `Transport certificate with ${demo.clientName}'s identity, issued by the Directory CA and revoked: ` +
        'its serial number is listed under revokedSerials in manifest.json.',
      usedBy: ['directory: seeds its serial number as revoked', tests],
      why:
        'A valid chain is not enough either: a certificate reported compromised must stop working before it ' +
        'expires (RFC 5280 §3.3).',
      issuerId: 'ca.directory',
    }),
    file('negative.revokedTransportKey', config.negative.revokedTransportKey, {
      kind: 'private-key',
      group: 'negative',
      what: 'Private key of the revoked transport certificate.',
      usedBy: [tests],
      why: 'Lets a test complete a handshake attempt with the revoked certificate.',
      keyOf: 'negative.revokedTransportCert',
    }),
  ];
}

function aboutFiles(config: SandboxConfig, file: FileFactory): PlannedFile[] {
  return [
    file('pkiManifest', config.pkiManifest, {
      kind: 'manifest',
      group: 'about',
      what:
        'Machine-readable description of every file here: kind, purpose, and for certificates subject, ' +
        'issuer, serial number, validity and thumbprints; plus the revoked serial numbers.',
      usedBy: [
        'pnpm pki:ensure (freshness check)',
        'pnpm pki --explain',
        'directory (revoked serials)',
        'readPkiManifest() in @fapi-sandbox/scripts',
      ],
      why: 'Tools and people can find out what a file is without openssl.',
    }),
    file('readme', readmePath(config), {
      kind: 'readme',
      group: 'about',
      what: 'This explanation, as Markdown.',
      usedBy: ['you'],
      why: 'Answers "what is each certificate for?" right next to the files.',
    }),
  ];
}

type FileFactory = (
  id: string,
  absolutePath: string,
  description: PkiFileDescription &
    Pick<PlannedFile, 'issuerId' | 'expiredOnPurpose' | 'bundleOf' | 'keyOf' | 'addable'>,
) => PlannedFile;

/** Every file of a complete PKI for `config`, in the order the explanation presents them. */
export function pkiLayout(config: SandboxConfig): PlannedFile[] {
  const file: FileFactory = (id, absolutePath, description) => ({
    id,
    path: absolutePath,
    relativePath: path.relative(config.certsDir, absolutePath).split(path.sep).join('/'),
    secret: description.kind === 'private-key' || description.kind === 'private-jwks',
    ...description,
  });
  return [
    ...authorityFiles(config, file),
    ...serverFiles(config, file),
    ...participantFiles(config, file),
    ...bankApiClientFiles(config, file),
    ...signingKeyFiles(config, file),
    ...negativeFiles(config, file),
    ...aboutFiles(config, file),
  ];
}

/**
 * Fingerprint of everything in the config that shapes the PKI (file paths, host names, participant
 * identities). Stored in the manifest, so editing the config makes `--ensure` regenerate.
 */
/**
 * `servers` (each server key's host names, in `serverKeys` order) defaults to the configuration's; the
 * freshness check passes the names the certificates on disk hold, to tell a new base domain apart.
 */
export function planDigest(
  config: SandboxConfig,
  servers: string[][] = serverKeys.map((key) => serverHostnames(config[key])),
): string {
  const inputs = {
    formatVersion: PKI_FORMAT_VERSION,
    // Addable files are left out: adding one to an existing PKI must not make it look reconfigured.
    files: pkiLayout(config)
      .filter((f) => !f.addable)
      .map((f) => [f.id, f.relativePath]),
    servers: serverKeys.map((key, index) => [key, servers[index]]),
    participants: Object.entries(config.participants).map(([key, p]) => [
      key,
      p.orgId,
      p.orgName,
      p.softwareId,
    ]),
  };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('base64url');
}
