// Whether a build is still the build of the sources as they are now: a sha-256 over the names and
// contents of the files it was made from. `pnpm dev` asks it of the TPP's web build and of each party's
// bundle, so that a warm start builds nothing. Contents, not modification times: a checkout, a stash or a
// branch switch may give a file its old content with a new time, or the reverse.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * sha-256 over each file's repository-relative name and content; a missing file counts as a change.
 * `contents` gives the content a build read, where known, so that a save during the build is not taken
 * for what was built.
 */
export function sourceFingerprint(
  repoRoot: string,
  files: readonly string[],
  contents: ReadonlyMap<string, string> = new Map(),
): string {
  const hash = createHash('sha256');
  for (const file of files) {
    const absolute = path.join(repoRoot, file);
    hash.update(`${file}\0`);
    hash.update(contents.get(file) ?? (fs.existsSync(absolute) ? fs.readFileSync(absolute) : '\0missing\0'));
  }
  return hash.digest('hex');
}

/** A JSON file's content, or undefined when it is missing or not JSON. */
export function readJsonFile<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}
