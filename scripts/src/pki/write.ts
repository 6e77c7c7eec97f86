// Replaces the certs folder as a whole: everything is written into a staging folder next to it, then
// swapped in with two renames, so a crash or a failed write never leaves a half-old, half-new PKI.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface TreeFile {
  /** Relative to the target folder, `/`-separated. */
  relativePath: string;
  content: string;
  /** Private key material: readable by the owner only. */
  secret: boolean;
}

/** certs/.gitkeep is tracked by git so the folder exists in a fresh clone; every new tree keeps it. */
const KEEP_FILE = '.gitkeep';

function siblingPrefix(targetDir: string, purpose: 'staging' | 'previous'): string {
  return path.join(path.dirname(targetDir), `.${path.basename(targetDir)}.${purpose}-`);
}

/** Leftovers of a run that crashed between steps. Only called while holding the PKI lock. */
async function removeLeftovers(targetDir: string): Promise<void> {
  const parent = path.dirname(targetDir);
  const prefixes = [siblingPrefix(targetDir, 'staging'), siblingPrefix(targetDir, 'previous')].map((p) =>
    path.basename(p),
  );
  for (const name of await readdir(parent)) {
    if (prefixes.some((prefix) => name.startsWith(prefix))) {
      await rm(path.join(parent, name), { recursive: true, force: true });
    }
  }
}

function resolveInside(root: string, relativePath: string): string {
  const resolved = path.resolve(root, ...relativePath.split('/'));
  if (!resolved.startsWith(root + path.sep))
    throw new Error(`Refusing to write outside ${root}: ${relativePath}`);
  return resolved;
}

async function writeTree(root: string, files: TreeFile[]): Promise<void> {
  await writeFile(path.join(root, KEEP_FILE), '');
  for (const file of files) {
    const target = resolveInside(root, file.relativePath);
    await mkdir(path.dirname(target), { recursive: true });
    const mode = file.secret ? 0o600 : 0o644;
    await writeFile(target, file.content, { mode, flag: 'wx' });
    // The mode given to writeFile is filtered by the umask; chmod makes it exact (no-op on Windows).
    await chmod(target, mode);
  }
}

/** Windows refuses a rename while an indexer or antivirus briefly holds a file open: retry a little. */
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt >= 10 || !(code === 'EPERM' || code === 'EACCES' || code === 'EBUSY')) throw error;
      await sleep(50 * (attempt + 1));
    }
  }
}

async function exists(target: string): Promise<boolean> {
  try {
    await stat(target);
    return true;
  } catch {
    return false;
  }
}

/** Writes `files` as the new content of `targetDir`, replacing whatever was there. */
export async function replaceDirectory(targetDir: string, files: TreeFile[]): Promise<void> {
  const target = path.resolve(targetDir);
  await mkdir(path.dirname(target), { recursive: true });
  await removeLeftovers(target);
  // mkdtemp makes the folder 0700: certs/ holds private keys, so only its owner may even list it.
  const staging = await mkdtemp(siblingPrefix(target, 'staging'));
  try {
    await writeTree(staging, files);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  if (!(await exists(target))) {
    await renameWithRetry(staging, target);
    return;
  }
  const previous = `${siblingPrefix(target, 'previous')}${randomBytes(6).toString('hex')}`;
  await renameWithRetry(target, previous);
  try {
    await renameWithRetry(staging, target);
  } catch (error) {
    // Put the old PKI back rather than leave no PKI at all.
    await renameWithRetry(previous, target);
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  await rm(previous, { recursive: true, force: true });
}
