// How a party's process is started, by `pnpm dev` and by the benchmark that measures it: node itself
// running the party's bundle (party-bundle.ts). No launcher or loader in between, so the supervisor sees
// the party's own exit and the benchmark measures the process that serves.
export function partyCommand(bundleFile: string): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--enable-source-maps', bundleFile] };
}
