// Each party runs as one JavaScript file that esbuild writes from its TypeScript: the party's own
// sources and the workspace packages it uses, bundled; every third-party package stays outside, imported
// from where pnpm installed it. Node then loads plain JavaScript with no loader hooks in between, and no
// transpiler process per party: that halves the sandbox's start and its memory (see `pnpm bench`).
// A build takes a few hundred milliseconds, so `pnpm dev` builds at every start and before each restart.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const WORKSPACE_PACKAGE = /^@fapi-sandbox\//;
/** A regular expression, not the words in a string: this file is bundled by its own plugin too. */
const IMPORT_META_URL = /\bimport\.meta\.url\b/g;
/** Marks a resolution this plugin asked esbuild for itself, so it is not intercepted again. */
const RESOLVING_EXTERNAL = Symbol('resolving an external package');

/**
 * Third-party imports are left to Node, but resolved now, from the importing file, to the file pnpm
 * installed: a workspace package's dependencies are not visible from the bundle's own folder (pnpm keeps
 * each package's dependencies beside it), so the bare name alone would not resolve there.
 */
const thirdPartyStaysOutside: esbuild.Plugin = {
  name: 'third-party-stays-outside',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (WORKSPACE_PACKAGE.test(args.path) || args.pluginData === RESOLVING_EXTERNAL) return undefined;
      if (args.path.startsWith('node:')) return { external: true };
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: RESOLVING_EXTERNAL,
      });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      return { path: pathToFileURL(resolved.path).href, external: true };
    });
  },
};

/**
 * `import.meta.url` keeps meaning the source file it is written in (the TPP finds its web root, the
 * configuration the repository's root, bank-api its OpenAPI document by it), not the bundle's location.
 */
const importMetaUrlOfTheSource: esbuild.Plugin = {
  name: 'import-meta-url-of-the-source',
  setup(build) {
    build.onLoad({ filter: /\.tsx?$/ }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return {
        contents: source.replace(IMPORT_META_URL, url),
        loader: args.path.endsWith('x') ? 'tsx' : 'ts',
      };
    });
  },
};

export interface PartyBundle {
  /** The JavaScript file node runs. */
  file: string;
  /** Writes the file again from the current sources (watch mode, before a restart). */
  rebuild(): Promise<void>;
}

/** Where a bundle is written: beside the installed packages, never under a served folder. */
export function bundleFileOf(repoRoot: string, name: string): string {
  return path.join(repoRoot, 'node_modules', '.cache', 'fapi-sandbox', 'bundles', name, 'main.mjs');
}

let buildsInFlight = 0;

/**
 * Bundles one entry point; throws esbuild's message (file, line, what is wrong) if it cannot. esbuild's
 * service process is stopped once no build is running: it would otherwise sit beside the sandbox, holding
 * tens of MiB, until the next save (which starts it again).
 */
export async function bundleEntry(repoRoot: string, name: string, entryFile: string): Promise<PartyBundle> {
  const file = bundleFileOf(repoRoot, name);
  const rebuild = async () => {
    buildsInFlight += 1;
    try {
      const { outputFiles } = await esbuild.build({
        entryPoints: [entryFile],
        outfile: file,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        // Stack traces name the TypeScript files and lines (node --enable-source-maps).
        sourcemap: 'linked',
        plugins: [thirdPartyStaysOutside, importMetaUrlOfTheSource],
        logLevel: 'silent',
        write: false,
      });
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      // Written aside, then renamed into place: another `pnpm dev` of the same checkout (a test, the
      // benchmark) may be starting node on this file right now, and must never read half of it.
      await Promise.all(
        outputFiles.map(async ({ path: target, contents }) => {
          const aside = `${target}.${process.pid}.tmp`;
          await fs.promises.writeFile(aside, contents);
          await fs.promises.rename(aside, target);
        }),
      );
    } finally {
      buildsInFlight -= 1;
      if (buildsInFlight === 0) await esbuild.stop();
    }
  };
  await rebuild();
  return { file, rebuild };
}

/** A party's bundle: its `src/main.ts` and the workspace packages it uses. */
export function bundleParty(repoRoot: string, party: string, partyDir: string): Promise<PartyBundle> {
  return bundleEntry(repoRoot, party, path.join(partyDir, 'src', 'main.ts'));
}
