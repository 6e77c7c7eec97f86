// `pnpm dev` starts here. It is plain JavaScript so that no TypeScript loader stays in memory beside the
// sandbox for as long as it runs: it bundles party-bundle.ts (whose only package is esbuild), then with
// it the launcher (cli.ts) exactly as the launcher bundles each party, and runs that bundle in this process.
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
await import(pathToFileURL(launcher.file).href);
