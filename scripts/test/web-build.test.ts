// `pnpm dev` serves the TPP's React app as a Vite build, made again only when a file it was built from
// changed. The freshness rule on a repository of our own making; the build itself for real, once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureWebBuild, fingerprint, webBuildIsFresh } from '../src/dev/web-build.js';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

/** A repository holding what the rule reads: dist/ with its inputs list, the sources, the stamp. */
function builtRepository(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'web-build-'));
  roots.push(root);
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };
  write('apps/tpp/src/web/App.tsx', 'export const App = 1;\n');
  write('apps/tpp/vite.config.ts', 'export default {};\n');
  write('pnpm-lock.yaml', 'lockfileVersion: 9\n');
  write('apps/tpp/dist/index.html', '<!doctype html>\n');
  const files = ['apps/tpp/src/web/App.tsx'];
  write('apps/tpp/dist/.build-inputs.json', JSON.stringify({ files }));
  write(
    'node_modules/.cache/fapi-sandbox/tpp-web-build.json',
    JSON.stringify({ fingerprint: fingerprint(root, files) }),
  );
  return root;
}

describe("the TPP's web build", () => {
  it('is fresh while neither its inputs nor the build settings nor the installed packages changed', () => {
    const root = builtRepository();
    expect(webBuildIsFresh(root)).toBe(true);
    fs.appendFileSync(path.join(root, 'apps/tpp/src/web/App.tsx'), '// saved\n');
    expect(webBuildIsFresh(root)).toBe(false);
  });

  it('is stale when the packages or the build settings changed, an input is gone, or there is no build', () => {
    const lock = builtRepository();
    fs.appendFileSync(path.join(lock, 'pnpm-lock.yaml'), 'packages: {}\n');
    expect(webBuildIsFresh(lock)).toBe(false);

    const settings = builtRepository();
    fs.writeFileSync(path.join(settings, 'apps/tpp/vite.config.ts'), 'export default { base: "/x/" };\n');
    expect(webBuildIsFresh(settings)).toBe(false);

    const removed = builtRepository();
    fs.rmSync(path.join(removed, 'apps/tpp/src/web/App.tsx'));
    expect(webBuildIsFresh(removed)).toBe(false);

    const noBuild = builtRepository();
    fs.rmSync(path.join(noBuild, 'apps/tpp/dist/index.html'));
    expect(webBuildIsFresh(noBuild)).toBe(false);
  });

  it("is made by Vite from the app's own sources, listed beside it, and not made again while fresh", async () => {
    const { repoRoot } = sandboxConfig();
    await ensureWebBuild(repoRoot);
    const inputs = JSON.parse(
      fs.readFileSync(path.join(repoRoot, 'apps/tpp/dist/.build-inputs.json'), 'utf8'),
    ) as { files: string[] };
    expect(inputs.files).toContain('apps/tpp/src/web/App.tsx');
    expect(inputs.files).toContain('apps/tpp/src/web/index.html');
    expect(inputs.files.every((file) => !file.includes('node_modules'))).toBe(true);
    expect(webBuildIsFresh(repoRoot)).toBe(true);
    expect((await ensureWebBuild(repoRoot)).action).toBe('fresh');
  }, 120_000);
});
