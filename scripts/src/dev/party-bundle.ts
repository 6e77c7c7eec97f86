// Each party runs as one JavaScript file that esbuild writes from its TypeScript: the party's own
// sources and the workspace packages it uses, bundled; every third-party package stays outside, imported
// from where pnpm installed it. Node then loads plain JavaScript with no loader hooks in between, and no
// transpiler process per party: that halves the sandbox's start and its memory (see `pnpm bench`).
// A start reuses a bundle whose inputs have not changed since it was built (its stamp, inputs.json beside
// it, lists them with their fingerprint); a restart after a save always builds.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { readJsonFile, sourceFingerprint } from './source-fingerprint.js';

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
 * Each source is kept in `read` (by repository-relative name) as the build got it, for the bundle's stamp.
 */
function importMetaUrlOfTheSource(repoRoot: string, read: Map<string, string>): esbuild.Plugin {
  return {
    name: 'import-meta-url-of-the-source',
    setup(build) {
      build.onLoad({ filter: /\.tsx?$/ }, async (args) => {
        const source = await fs.promises.readFile(args.path, 'utf8');
        read.set(path.relative(repoRoot, args.path), source);
        const url = JSON.stringify(pathToFileURL(args.path).href);
        return {
          contents: source.replace(IMPORT_META_URL, url),
          loader: args.path.endsWith('x') ? 'tsx' : 'ts',
        };
      });
    },
  };
}

export interface PartyBundle {
  /** The JavaScript file node runs. */
  file: string;
  /** False when the bundle of an earlier start was still the build of the current sources. */
  built: boolean;
  /** Writes the file again from the current sources (watch mode, before a restart). */
  rebuild(): Promise<void>;
}

/** Where a bundle is written: beside the installed packages, never under a served folder. */
export function bundleFileOf(repoRoot: string, name: string): string {
  return path.join(repoRoot, 'node_modules', '.cache', 'fapi-sandbox', 'bundles', name, 'main.mjs');
}

/**
 * What changes a bundle besides its inputs' contents: how this file builds it, and which packages are
 * installed where (third-party imports are resolved to installed files at build time).
 */
const BUNDLE_SETTINGS = ['scripts/src/dev/party-bundle.ts', 'pnpm-lock.yaml', 'node_modules/.modules.yaml'];

/** inputs.json beside a bundle: the files it was built from and their fingerprint at that time. */
interface BundleStamp {
  entry: string;
  files: string[];
  fingerprint: string;
}

const stampFileOf = (file: string) => path.join(path.dirname(file), 'inputs.json');

/**
 * The repository-relative files a build read (esbuild's metafile), with the package.json nearest each:
 * a workspace package's `exports` decide how its imports resolve.
 */
function inputsOf(repoRoot: string, metafile: esbuild.Metafile): string[] {
  const files = new Set(Object.keys(metafile.inputs));
  for (const input of Object.keys(metafile.inputs)) {
    for (let dir = path.dirname(input); dir !== '.' && !dir.startsWith('..'); dir = path.dirname(dir)) {
      const manifest = path.join(dir, 'package.json');
      if (fs.existsSync(path.join(repoRoot, manifest))) {
        files.add(manifest);
        break;
      }
    }
  }
  return [...files].sort();
}

function isFresh(repoRoot: string, file: string, entryFile: string): boolean {
  const stamp = readJsonFile<BundleStamp>(stampFileOf(file));
  return (
    stamp?.entry === entryFile &&
    fs.existsSync(file) &&
    stamp.fingerprint === sourceFingerprint(repoRoot, [...BUNDLE_SETTINGS, ...stamp.files])
  );
}

/** Written aside, then renamed into place: another `pnpm dev` of this checkout may be reading it now. */
async function writeInPlace(target: string, contents: Uint8Array | string): Promise<void> {
  const aside = `${target}.${process.pid}.tmp`;
  await fs.promises.writeFile(aside, contents);
  await fs.promises.rename(aside, target);
}

let buildsInFlight = 0;

/**
 * Bundles one entry point, unless the bundle of an earlier start is still the build of the current
 * sources; throws esbuild's message (file, line, what is wrong) if it cannot. esbuild's service process is
 * stopped once no build is running: it would otherwise sit beside the sandbox, holding tens of MiB, until
 * the next save (which starts it again).
 */
export async function bundleEntry(repoRoot: string, name: string, entryFile: string): Promise<PartyBundle> {
  const file = bundleFileOf(repoRoot, name);
  const rebuild = async () => {
    buildsInFlight += 1;
    const read = new Map<string, string>();
    try {
      const { outputFiles, metafile } = await esbuild.build({
        entryPoints: [entryFile],
        outfile: file,
        absWorkingDir: repoRoot,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        // Stack traces name the TypeScript files and lines (node --enable-source-maps).
        sourcemap: 'linked',
        plugins: [thirdPartyStaysOutside, importMetaUrlOfTheSource(repoRoot, read)],
        logLevel: 'silent',
        metafile: true,
        write: false,
      });
      await fs.promises.mkdir(path.dirname(file), { recursive: true });
      await Promise.all(outputFiles.map(({ path: target, contents }) => writeInPlace(target, contents)));
      // Over the sources as the build read them: one saved during the build leaves the stamp
      // disagreeing with the sources, so the next start builds again.
      const files = inputsOf(repoRoot, metafile);
      const stamp: BundleStamp = {
        entry: entryFile,
        files,
        fingerprint: sourceFingerprint(repoRoot, [...BUNDLE_SETTINGS, ...files], read),
      };
      await writeInPlace(stampFileOf(file), `${JSON.stringify(stamp)}\n`);
    } finally {
      buildsInFlight -= 1;
      if (buildsInFlight === 0) await esbuild.stop();
    }
  };
  if (isFresh(repoRoot, file, entryFile)) return { file, built: false, rebuild };
  await rebuild();
  return { file, built: true, rebuild };
}

/** A party's bundle: its `src/main.ts` and the workspace packages it uses. */
export function bundleParty(repoRoot: string, party: string, partyDir: string): Promise<PartyBundle> {
  return bundleEntry(repoRoot, party, path.join(partyDir, 'src', 'main.ts'));
}
