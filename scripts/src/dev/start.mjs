// `pnpm dev` starts here. It is plain JavaScript so that no TypeScript loader stays in memory beside the
// sandbox for as long as it runs: it bundles party-bundle.ts (whose only package is esbuild), then with
// it the launcher (cli.ts) exactly as the launcher bundles each party, and runs that bundle in this process.
// `pnpm dev` runs it with --max-semi-space-size=1 (this process alone, never the parties, which serve
// requests): the launcher serves none, and V8's young generation would otherwise keep 16 MiB or more.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');
const bundlerFile = path.join(
  repoRoot,
  'node_modules',
  '.cache',
  'fapi-sandbox',
  'bundles',
  'bundler',
  'main.mjs',
);

/** The bundle imports esbuild from where pnpm installed it for this package. */
const esbuildWhereInstalled = {
  name: 'esbuild-where-installed',
  setup(build) {
    build.onResolve({ filter: /^esbuild$/ }, () => ({
      path: import.meta.resolve('esbuild'),
      external: true,
    }));
  },
};

const { outputFiles } = await esbuild.build({
  entryPoints: [path.join(here, 'party-bundle.ts')],
  outfile: bundlerFile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  plugins: [esbuildWhereInstalled],
  logLevel: 'warning',
  write: false,
});
fs.mkdirSync(path.dirname(bundlerFile), { recursive: true });
// Renamed into place, as party-bundle.ts does: another `pnpm dev` of this checkout may be loading it.
const aside = `${bundlerFile}.${process.pid}.tmp`;
fs.writeFileSync(aside, outputFiles[0].contents);
fs.renameSync(aside, bundlerFile);

const { bundleEntry } = await import(pathToFileURL(bundlerFile).href);
const launcher = await bundleEntry(repoRoot, 'dev-launcher', path.join(here, 'cli.ts'));
// esbuild's service process, started for the build above, would otherwise stay beside the sandbox (about
// 12 MiB) whenever every bundle is fresh; the next build starts it again (party-bundle.ts stops it after).
await esbuild.stop();
await import(pathToFileURL(launcher.file).href);
