// Everything the routes and pages need, built once by the composition root (app.ts) and handed down.
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import type { Logger } from '@fapi-sandbox/fapi-core/log';
import type { TraceRecorder } from '@fapi-sandbox/fapi-core/trace';
import type { AdminCredential } from './admin-credential.js';
import type { CertificateAuthority } from './domain/certificate-authority.js';
import type { CertificateService } from './domain/certificates.js';
import type { Developers } from './domain/developers.js';
import type { Registry } from './domain/registry.js';
import type { Reissuer } from './domain/reissue.js';
import type { SsaService } from './domain/ssa-service.js';
import type { SsaSigner } from './domain/ssa-signer.js';
import type { InviteCode } from './invite-code.js';
import type { DirectoryStore } from './store/index.js';

export interface DirectoryServices {
  config: SandboxConfig;
  store: DirectoryStore;
  registry: Registry;
  certificates: CertificateService;
  reissue: Reissuer;
  ssa: SsaService;
  signer: SsaSigner;
  ca: CertificateAuthority;
  adminCredential: AdminCredential;
  /** The developer portal: its invite code; sign-ups, software and bundles. */
  inviteCode: InviteCode;
  developers: Developers;
  trace: TraceRecorder;
  log: Logger;
}
