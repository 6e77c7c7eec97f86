// One writer at a time: parallel `pnpm pki:ensure` runs (e.g. several test tasks starting together)
// must not generate two PKIs and swap them in over each other.
import { mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const WAIT_LIMIT_MS = 120_000;
const POLL_MS = 100;
/** A generation takes about a second; a lock this old belongs to a process that died. */
const STALE_AFTER_MS = 5 * 60_000;

export function lockPathFor(certsDir: string): string {
  return path.join(path.dirname(path.resolve(certsDir)), `.${path.basename(certsDir)}.lock`);
}

interface LockOwner {
  pid: number;
  host: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function isStale(lockPath: string): Promise<boolean> {
  try {
    const [info, text] = await Promise.all([stat(lockPath), readFile(lockPath, 'utf8')]);
    if (Date.now() - info.mtimeMs > STALE_AFTER_MS) return true;
    const owner = JSON.parse(text) as Partial<LockOwner>;
    return owner.host === hostname() && typeof owner.pid === 'number' && !isAlive(owner.pid);
  } catch {
    // Vanished or half-written: let the next attempt decide.
    return false;
  }
}

async function acquire(lockPath: string): Promise<void> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  const owner: LockOwner = { pid: process.pid, host: hostname() };
  for (;;) {
    try {
      await writeFile(lockPath, JSON.stringify(owner), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (await isStale(lockPath)) {
      await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Another "pnpm pki" is still writing the PKI (lock file ${lockPath}). ` +
          'Wait for it to finish, or delete the lock file if no such process is running.',
      );
    }
    await sleep(POLL_MS);
  }
}

/** Runs `task` while holding the PKI lock of `certsDir`. */
export async function withPkiLock<T>(certsDir: string, task: () => Promise<T>): Promise<T> {
  const lockPath = lockPathFor(certsDir);
  await mkdir(path.dirname(lockPath), { recursive: true });
  await acquire(lockPath);
  try {
    return await task();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}
