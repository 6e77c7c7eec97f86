// Watch mode's "restart on save": which source folders each party runs, and one debounced watcher per
// folder (Node's own recursive fs.watch, no watcher library needed).
import fs from 'node:fs';
import path from 'node:path';

const SOURCE_FILE = /\.(ts|tsx|mts|js|mjs|json)$/;

/**
 * The folders whose files a party runs: its own `src/` and the `src/` of every workspace package it
 * depends on, directly or through another package. `ignore` holds the party's browser code unless
 * `watchWebSources`: Vite reloads it itself when it serves it (`pnpm dev --hmr`).
 */
export function sourceFoldersOf(
  partyDir: string,
  repoRoot: string,
  { watchWebSources = false }: { watchWebSources?: boolean } = {},
): { folders: string[]; ignore: string[] } {
  const folders = [path.join(partyDir, 'src')];
  const seen = new Set<string>();
  const visit = (packageDir: string) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const [name, version] of Object.entries(manifest.dependencies ?? {})) {
      if (!version.startsWith('workspace:') || seen.has(name)) continue;
      seen.add(name);
      const dir = path.join(repoRoot, 'packages', name.replace(/^@fapi-sandbox\//, ''));
      if (!fs.existsSync(path.join(dir, 'package.json'))) continue;
      folders.push(path.join(dir, 'src'));
      visit(dir);
    }
  };
  visit(partyDir);
  const web = path.join(partyDir, 'src', 'web');
  return { folders, ignore: fs.existsSync(web) && !watchWebSources ? [web] : [] };
}

/** Calls `onChange` with the changed file once a burst of saves under `folders` has settled. */
export function watchSources(
  folders: string[],
  ignore: string[],
  onChange: (file: string) => void,
  settleMs = 250,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  const watchers = folders.map((folder) =>
    fs.watch(folder, { recursive: true }, (_event, name) => {
      if (!name || !SOURCE_FILE.test(name)) return;
      const file = path.join(folder, name);
      if (ignore.some((dir) => file.startsWith(dir + path.sep))) return;
      clearTimeout(timer);
      timer = setTimeout(() => onChange(file), settleMs);
    }),
  );
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
