// The one screen a learner reads after `pnpm dev`: where each party is, who can log in, where to start.
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import type { ReplicaPorts } from './replicas.js';

export interface ReadyFacts {
  startupMs: number;
  perPartyMs: Record<string, number>;
  adminCredential: string | undefined;
  /** The developer portal's invite code (what a learner needs to sign up). */
  inviteCode?: string | undefined;
  demoCustomers: { username: string; password: string; displayName: string }[];
  /** With --replicas N: each replica, the process it runs as and the ports it binds. */
  replicas?: { name: string; pid: number | undefined; ports: ReplicaPorts }[];
  /** With --replicas N: the Redis the replicas share. */
  redis?: string;
}

/** The replicas behind the balancer: where each listens and its pid (a test or a learner may kill one). */
function replicaLines(facts: ReadyFacts): string[] {
  if (!facts.replicas?.length) return [];
  return [
    '',
    'Replicas (a TCP pass-through balancer on each address above hands each new connection to the next',
    'live replica; TLS, mutual TLS included, runs end to end to the replica):',
    table([
      ['replica', 'pid', 'web port', 'mTLS port'],
      ...facts.replicas.map((r) => [
        r.name,
        String(r.pid ?? '—'),
        String(r.ports.web),
        r.ports.mtls === undefined ? '(same)' : String(r.ports.mtls),
      ]),
    ]),
    `Redis shared by the replicas: ${facts.redis ?? '(none)'}`,
  ];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length)));
  const line = (row: string[]) =>
    `  ${row.map((cell, col) => cell.padEnd(widths[col]!)).join('   ')}`.trimEnd();
  return [line(rows[0]!), line(widths.map((w) => '─'.repeat(w))), ...rows.slice(1).map(line)].join('\n');
}

export function renderReadyTable(config: SandboxConfig, facts: ReadyFacts): string {
  // A replicated party is ready when its last replica is.
  const msOf = (name: string) => {
    const own = Object.entries(facts.perPartyMs).filter(([key]) => key.replace(/\.\d+$/, '') === name);
    return own.length === 0 ? undefined : Math.max(...own.map(([, value]) => value));
  };
  const ms = (name: string) => {
    const value = msOf(name);
    return value === undefined ? '' : `${(value / 1000).toFixed(1)} s`;
  };
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
    ...replicaLines(facts),
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
