// The one screen a learner reads after `pnpm dev`: where each party is, who can log in, where to start.
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';

export interface ReadyFacts {
  startupMs: number;
  perPartyMs: Record<string, number>;
  adminCredential: string | undefined;
  /** The developer portal's invite code (what a learner needs to sign up). */
  inviteCode?: string | undefined;
  demoCustomers: { username: string; password: string; displayName: string }[];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length)));
  const line = (row: string[]) =>
    `  ${row.map((cell, col) => cell.padEnd(widths[col]!)).join('   ')}`.trimEnd();
  return [line(rows[0]!), line(widths.map((w) => '─'.repeat(w))), ...rows.slice(1).map(line)].join('\n');
}

export function renderReadyTable(config: SandboxConfig, facts: ReadyFacts): string {
  const ms = (name: string) =>
    facts.perPartyMs[name] === undefined ? '' : `${(facts.perPartyMs[name]! / 1000).toFixed(1)} s`;
  const parties = table([
    ['party', 'browser / web', 'mTLS (back channel)', 'ready in'],
    ['directory', config.directory.web.origin, config.directory.mtls.origin, ms('directory')],
    ['bank-op', config.bankOp.issuer, config.bankOp.mtls.origin, ms('bank-op')],
    ['bank-api', '—', config.bankApi.baseUrl, ms('bank-api')],
    ['tpp', config.tpp.web.origin, '—', ms('tpp')],
  ]);
  const customers =
    facts.demoCustomers.length === 0
      ? '  (none seeded)'
      : table([
          ['customer', 'username', 'password'],
          ...facts.demoCustomers.map((c) => [c.displayName, c.username, c.password]),
        ]);
  return [
    '',
    `FAPI Sandbox is ready in ${(facts.startupMs / 1000).toFixed(1)} s.`,
    '',
    parties,
    '',
    'Demo bank customers (log in at the bank):',
    customers,
    '',
    `Directory admin credential: ${facts.adminCredential ?? '(not found)'}`,
    `  (Authorization: Bearer … on the directory's admin API; stored in ${config.directory.adminCredentialFile})`,
    `Developer portal invite code: ${facts.inviteCode ?? '(not found)'}`,
    `  (bring your own client: sign up at ${config.directory.web.origin}/portal; stored in ${config.directory.inviteCodeFile})`,
    '',
    `Start here: ${config.tpp.web.origin}  (pnpm open starts a browser that trusts the sandbox CA)`,
    `OP discovery: ${config.bankOp.issuer}/.well-known/openid-configuration`,
    'Machine-readable URLs and credential paths: pnpm --silent sandbox:info',
    'Ctrl-C stops every party.',
    '',
  ].join('\n');
}
