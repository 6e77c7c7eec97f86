// A participant's mTLS identity that follows its files: when the directory reissues a fixture participant's
// transport certificate (new key and certificate written over certs/participants/<slug>/transport.*), a
// long-running party such as the demo TPP presents the new one at its next call, with no restart.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { type Agent, Dispatcher } from 'undici';
import type { Participant, SandboxConfig } from './config.js';
import { certificateThumbprint } from './jose/thumbprint.js';
import { createSandboxAgent } from './tls.js';

interface Identity {
  /** inode, mtime and size of both files: cheap to compare on every call. */
  stamp: string;
  agent: Agent;
  thumbprint: string;
}

/** inode, mtime and size of each file: what changes when a file is rewritten or renamed over (no contents read). */
export function stampOf(files: string[]): string {
  return files
    .map((file) => {
      const stat = fs.statSync(file);
      return `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
    })
    .join('|');
}

export class CurrentTransportAgent extends Dispatcher {
  private identity: Identity;
  private readonly retired: Agent[] = [];

  constructor(
    private readonly participant: Participant,
    private readonly config: SandboxConfig,
  ) {
    super();
    const loaded = this.load();
    if (!loaded) {
      throw new Error(
        `${participant.transportKey} does not match ${participant.transportCert}: run pnpm pki:ensure`,
      );
    }
    this.identity = loaded;
  }

  /** RFC 8705 §3.1 x5t#S256 of the certificate presented now: what a bound token's cnf must name. */
  thumbprint(): string {
    return this.current().thumbprint;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    return this.current().agent.dispatch(options, handler);
  }

  override async close(): Promise<void> {
    await Promise.all([this.identity.agent, ...this.retired].map((agent) => agent.close()));
  }

  override async destroy(): Promise<void> {
    await Promise.all([this.identity.agent, ...this.retired].map((agent) => agent.destroy()));
  }

  private files(): string[] {
    return [this.participant.transportCert, this.participant.transportKey];
  }

  private current(): Identity {
    if (stampOf(this.files()) === this.identity.stamp) return this.identity;
    const loaded = this.load();
    // Caught between the writes of a key and its certificate: keep the old pair until both are there.
    if (!loaded) return this.identity;
    // Pooled connections still present the old certificate: close them once their requests finish.
    const old = this.identity.agent;
    this.retired.push(old);
    void old.close().then(() => this.retired.splice(this.retired.indexOf(old), 1));
    this.identity = loaded;
    return loaded;
  }

  private load(): Identity | undefined {
    const stamp = stampOf(this.files());
    const cert = fs.readFileSync(this.participant.transportCert);
    const key = fs.readFileSync(this.participant.transportKey);
    let leaf: X509Certificate;
    try {
      leaf = new X509Certificate(cert);
      if (!leaf.checkPrivateKey(createPrivateKey(key))) return undefined;
    } catch {
      return undefined; // a file half written
    }
    return {
      stamp,
      agent: createSandboxAgent({ cert, key }, this.config),
      thumbprint: certificateThumbprint(leaf),
    };
  }
}
