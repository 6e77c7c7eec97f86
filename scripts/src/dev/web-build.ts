// The TPP's React app as `pnpm dev` serves it: built by Vite into apps/tpp/dist and served as static
// files. Vite's development server in the TPP's process would hold about a third more memory and transform
// every module on the first page a learner opens. The build is made again only when a file it was built
// from changed (the list Vite's build writes beside it: apps/tpp/src/build-inputs.ts), or the installed
// packages did. `pnpm dev --hmr` serves the app through Vite instead, with hot reload, for whoever edits it.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { readJsonFile, sourceFingerprint } from './source-fingerprint.js';

const run = promisify(execFile);
/** Written by the TPP's Vite build (BUILD_INPUTS_FILE in apps/tpp/src/build-inputs.ts). */
const BUILD_INPUTS_FILE = '.build-inputs.json';
/** Whatever changes the build besides its inputs' contents: the build's settings and the packages. */
const BUILD_SETTINGS = ['apps/tpp/vite.config.ts', 'apps/tpp/src/build-inputs.ts', 'pnpm-lock.yaml'];

export interface WebBuild {
  action: 'fresh' | 'built';
  ms: number;
}

function paths(repoRoot: string) {
  const tppDir = path.join(repoRoot, 'apps', 'tpp');
  const distDir = path.join(tppDir, 'dist');
  return {
    tppDir,
    distDir,
    inputsFile: path.join(distDir, BUILD_INPUTS_FILE),
    /** The fingerprint of the sources dist/ was built from, as `pnpm dev` last built it. */
    stampFile: path.join(repoRoot, 'node_modules', '.cache', 'fapi-sandbox', 'tpp-web-build.json'),
  };
}

/** The fingerprint of the build's settings and inputs (source-fingerprint.ts). */
export function fingerprint(repoRoot: string, files: readonly string[]): string {
  return sourceFingerprint(repoRoot, [...BUILD_SETTINGS, ...files]);
}

/** Whether apps/tpp/dist is the build of the sources as they are now. */
export function webBuildIsFresh(repoRoot: string): boolean {
  const { distDir, inputsFile, stampFile } = paths(repoRoot);
  const inputs = readJsonFile<{ files: string[] }>(inputsFile);
  const stamp = readJsonFile<{ fingerprint: string }>(stampFile);
  if (!inputs || !stamp || !fs.existsSync(path.join(distDir, 'index.html'))) return false;
  return stamp.fingerprint === fingerprint(repoRoot, inputs.files);
}

/**
 * Builds the app unless dist/ is fresh. The build goes to a folder of its own and is then moved into
 * place, so a second `pnpm dev` of this checkout (an e2e worker) building at the same moment never leaves
 * a half-written dist/ behind; a TPP already serving keeps its files (their names carry their hash).
 */
export async function ensureWebBuild(repoRoot: string): Promise<WebBuild> {
  const started = performance.now();
  if (webBuildIsFresh(repoRoot)) return { action: 'fresh', ms: performance.now() - started };
  const { tppDir, distDir, inputsFile, stampFile } = paths(repoRoot);
  const building = `${distDir}.${process.pid}.building`;
  // Vite's command line, from the TPP's own installation (its package exports no bin/ subpath).
  const vitePackage = createRequire(path.join(tppDir, 'package.json')).resolve('vite/package.json');
  const vite = path.join(path.dirname(vitePackage), 'bin', 'vite.js');
  try {
    await run(
      process.execPath,
      [vite, 'build', '--outDir', building, '--emptyOutDir', '--logLevel', 'warn'],
      {
        cwd: tppDir,
      },
    );
    const replaced = `${distDir}.${process.pid}.replaced`;
    if (fs.existsSync(distDir)) fs.renameSync(distDir, replaced);
    fs.renameSync(building, distDir);
    fs.rmSync(replaced, { recursive: true, force: true });
  } catch (err) {
    fs.rmSync(building, { recursive: true, force: true });
    const { stderr } = err as { stderr?: string };
    throw new Error(`the TPP's web app does not build:\n${stderr || (err as Error).message}`);
  }
  const inputs = readJsonFile<{ files: string[] }>(inputsFile);
  if (!inputs) throw new Error(`the TPP's web build wrote no ${BUILD_INPUTS_FILE}`);
  fs.mkdirSync(path.dirname(stampFile), { recursive: true });
  fs.writeFileSync(stampFile, `${JSON.stringify({ fingerprint: fingerprint(repoRoot, inputs.files) })}\n`);
  return { action: 'built', ms: performance.now() - started };
}
