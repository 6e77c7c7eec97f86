// Every clause string the parties' source can put in a trace, read from the source itself: each string
// literal (quoted or template) that starts with a specification's name, with `${SP}`-style constants of
// the same file filled in. A new clause in any party shows up here without anyone listing it.
import fs from 'node:fs';
import path from 'node:path';
import { SPEC_NAMES } from '../../src/web/clauses/clause-refs.js';

const REPO = path.resolve(import.meta.dirname, '../../../..');
const SOURCE_ROOTS = ['apps', 'packages'].flatMap((dir) =>
  fs.readdirSync(path.join(REPO, dir)).map((name) => path.join(REPO, dir, name, 'src')),
);

function sourceFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

const startsWithSpec = (text: string) =>
  SPEC_NAMES.some(({ pattern }) => {
    pattern.lastIndex = 0;
    return pattern.test(text);
  });

/** The clause-like string literals of the parties' source, with the file each came from. */
export function clauseStringsInSource(): { text: string; file: string }[] {
  const found: { text: string; file: string }[] = [];
  for (const file of SOURCE_ROOTS.flatMap(sourceFiles)) {
    if (file.includes(`${path.sep}web${path.sep}clauses${path.sep}`)) continue;
    const source = fs.readFileSync(file, 'utf8');
    const constants = new Map(
      [...source.matchAll(/const (\w+) = '([^'\n]*)';/g)].map((m) => [m[1]!, m[2]!] as const),
    );
    for (const m of source.matchAll(/'([^'\n]*)'|"([^"\n]*)"|`([^`]*)`/g)) {
      const raw = m[1] ?? m[2] ?? m[3] ?? '';
      const text = raw.replace(/\$\{(\w+)\}/g, (whole, name: string) => constants.get(name) ?? whole);
      if (!text.includes('${') && startsWithSpec(text) && /§|Art\./.test(text))
        found.push({ text, file: path.relative(REPO, file) });
    }
  }
  return found;
}
