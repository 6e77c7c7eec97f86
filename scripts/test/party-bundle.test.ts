// How `pnpm dev` runs each party: one bundle per party, third-party packages imported where pnpm put them,
// and `import.meta.url` still the source file's. Run for real with node, as the supervisor runs it.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { describe, expect, it } from 'vitest';
import { bundleEntry, bundleFileOf } from '../src/dev/party-bundle.js';
import { partyCommand } from '../src/dev/party-command.js';

const run = promisify(execFile);
const repoRoot = sandboxConfig().repoRoot;
const probe = path.join(import.meta.dirname, 'fixtures', 'bundle-probe', 'main.ts');

describe('a party bundle', () => {
  it('runs on plain node: workspace code bundled, its packages found, import.meta.url the source file', async () => {
    const bundle = await bundleEntry(repoRoot, `test-probe-${process.pid}`, probe);
    try {
      const { command, args } = partyCommand(bundle.file);
      expect(args).not.toContain('--import');
      const { stdout } = await run(command, args, { env: { ...process.env, LOG_LEVEL: 'silent' } });
      expect(JSON.parse(stdout)).toEqual({
        repoRoot,
        ownUrl: pathToFileURL(probe).href,
        logger: 'function',
      });
      // Only workspace sources are inside; pino is imported from where pnpm installed it.
      const code = fs.readFileSync(bundle.file, 'utf8');
      expect(code).toMatch(/from "file:\/\/[^"]*\/node_modules\/\.pnpm\/pino@/);
      expect(code).toContain('// packages/fapi-core/src/config.ts');
    } finally {
      fs.rmSync(path.dirname(bundle.file), { recursive: true, force: true });
    }
  });

  it('is reused by the next start while its sources are unchanged, and built again when one changes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'party-bundle-'));
    const entry = path.join(dir, 'main.ts');
    const value = path.join(dir, 'value.ts');
    fs.writeFileSync(entry, "import { value } from './value.js';\nconsole.log(value);\n");
    fs.writeFileSync(value, 'export const value: number = 1;\n');
    const name = `test-reuse-${process.pid}`;
    const output = async (file: string) => (await run(process.execPath, [file])).stdout.trim();
    try {
      const first = await bundleEntry(repoRoot, name, entry);
      expect(first.built).toBe(true);
      expect(await output(first.file)).toBe('1');
      expect((await bundleEntry(repoRoot, name, entry)).built).toBe(false);
      // Same length, same modification time or not: the content decides.
      fs.writeFileSync(value, 'export const value: number = 2;\n');
      const changed = await bundleEntry(repoRoot, name, entry);
      expect(changed.built).toBe(true);
      expect(await output(changed.file)).toBe('2');
      // Another entry point never takes this bundle for its own.
      const other = path.join(dir, 'other.ts');
      fs.writeFileSync(other, "console.log('other');\n");
      expect((await bundleEntry(repoRoot, name, other)).built).toBe(true);
      expect(await output(changed.file)).toBe('other');
      // A bundle file gone is built again, whatever its stamp says.
      fs.rmSync(changed.file);
      expect((await bundleEntry(repoRoot, name, other)).built).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(path.dirname(bundleFileOf(repoRoot, name)), { recursive: true, force: true });
    }
  });

  it('refuses sources that do not build, naming the file and the line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'party-bundle-'));
    const broken = path.join(dir, 'main.ts');
    fs.writeFileSync(broken, 'export const ok = 1;\nconst = 2;\n');
    try {
      await expect(bundleEntry(repoRoot, `test-broken-${process.pid}`, broken)).rejects.toThrow(
        /main\.ts:2:\d+: ERROR/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
