// Watch mode's "restart on save": which source folders each party runs, and a debounced watch over them
// (Node's own fs.watch, no watcher library needed).
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

// One plain fs.watch (one inotify watch) per directory, shared by every party whose folders hold it: Node 20's
// recursive fs.watch on Linux keeps a watcher and a Stats per file, once per party (~700 handles, 8 MiB).
const subscribers = new Set<Subscriber>();
const watchers = new Map<string, fs.FSWatcher>();

interface Subscriber {
  folders: string[];
  changed(file: string): void;
}

const isUnder = (file: string, dir: string) => file === dir || file.startsWith(dir + path.sep);

/** Watches `dir` and every directory below it; `announce` reports the source files found (a new folder). */
function watchTree(dir: string, announce: boolean): void {
  if (watchers.has(dir)) return;
  let entries: fs.Dirent[];
  try {
    const watcher = fs.watch(dir, (_event, name) => {
      if (name) changed(path.join(dir, name.toString()));
    });
    // The directory went away: its parent's watcher says so and closes this one.
    watcher.on('error', () => unwatch(dir));
    watchers.set(dir, watcher);
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // It is gone already.
  }
  for (const entry of entries) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) watchTree(child, announce);
    else if (announce) dispatch(child);
  }
}

/** Stops watching `dir` and everything below it. */
function unwatch(dir: string): void {
  for (const [watched, watcher] of watchers) {
    if (isUnder(watched, dir)) {
      watcher.close();
      watchers.delete(watched);
    }
  }
}

function changed(file: string): void {
  let isDirectory = false;
  try {
    isDirectory = fs.statSync(file).isDirectory();
  } catch {
    // Removed (or renamed away): if it was a watched folder, so is what was under it.
    if (watchers.has(file)) unwatch(file);
  }
  // A folder made (or moved in) after the start is watched as well, and what it already holds counts.
  if (isDirectory) watchTree(file, true);
  else dispatch(file);
}

function dispatch(file: string): void {
  for (const subscriber of subscribers) subscriber.changed(file);
}

/** The directories being watched (each once, whichever parties share it). */
export function watchedDirectories(): string[] {
  return [...watchers.keys()].sort();
}

/** Calls `onChange` with the changed file once a burst of saves under `folders` has settled. */
export function watchSources(
  folders: string[],
  ignore: string[],
  onChange: (file: string) => void,
  settleMs = 250,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  const subscriber: Subscriber = {
    folders,
    changed(file) {
      if (!SOURCE_FILE.test(file) || !folders.some((folder) => isUnder(file, folder))) return;
      if (ignore.some((dir) => isUnder(file, dir))) return;
      clearTimeout(timer);
      timer = setTimeout(() => onChange(file), settleMs);
    },
  };
  subscribers.add(subscriber);
  for (const folder of folders) watchTree(folder, false);
  return () => {
    clearTimeout(timer);
    subscribers.delete(subscriber);
    // Close the watchers no remaining party needs.
    for (const dir of watchers.keys()) {
      const needed = [...subscribers].some((other) => other.folders.some((folder) => isUnder(dir, folder)));
      if (!needed) unwatch(dir);
    }
  };
}
