// How a party's process is started, by `pnpm dev` and by the benchmark that measures it: node itself with
// tsx's loader (tsx is a root devDependency) transpiling the party's TypeScript. No launcher in between,
// so the supervisor sees the party's own exit and the benchmark measures the process that serves.
const tsxLoader = import.meta.resolve('tsx');

export function partyCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--import', tsxLoader, 'src/main.ts'] };
}
