// The parties `pnpm dev` starts, in dependency order: the directory first (everyone trusts it),
// then the bank's OP and API, then the TPP that uses them all.
import path from 'node:path';
import type { Party, SandboxConfig } from '@fapi-sandbox/fapi-core/config';

export interface StartableParty {
  party: Party;
  /** Workspace folder whose `src/main.ts` is the party's entry point. */
  dir: string;
  healthUrl: string;
}

export function startableParties(config: SandboxConfig): StartableParty[] {
  const app = (name: string) => path.join(config.repoRoot, 'apps', name);
  return [config.directory, config.bankOp, config.bankApi, config.tpp].map((party) => ({
    party,
    dir: app(party.name),
    healthUrl: `${party.web.origin}/health`,
  }));
}
