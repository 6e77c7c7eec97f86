// A script of the benchmark (the load generator, a peer) in a node process of its own, on `config`'s
// ports and data, pinned where asked, driven over IPC (ipc.ts).
import path from 'node:path';
import { environmentFor, type SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { type BenchProcess, startProcess } from './child-process.js';

const tsxLoader = import.meta.resolve('tsx');

/** `file` is relative to this folder, e.g. 'load/load-generator.ts'. */
export function startScript(
  name: string,
  file: string,
  args: string[],
  config: SandboxConfig,
  cpu: number | undefined,
): BenchProcess {
  return startProcess({
    name,
    command: process.execPath,
    args: ['--import', tsxLoader, path.join(import.meta.dirname, file), ...args],
    cwd: config.repoRoot,
    env: { ...process.env, ...environmentFor(config) },
    cpu,
    ipc: true,
  });
}
