// The files a production build of the React app was made from, written beside it (dist/.build-inputs.json,
// never served: the static handler denies dot files), so that whoever serves dist/ can tell whether it is
// still what the sources say (`pnpm dev` rebuilds when one of them changed).
import fs from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';

export const BUILD_INPUTS_FILE = '.build-inputs.json';

export interface BuildInputs {
  /** Source files the bundle was made from, relative to the repository's root; no installed package. */
  files: string[];
}

export function recordBuildInputs(repoRoot: string): Plugin {
  return {
    name: 'fapi-sandbox:record-build-inputs',
    apply: 'build',
    generateBundle() {
      const files = [...this.getModuleIds()]
        .map((id) => id.split('?')[0] ?? id)
        .filter((id) => path.isAbsolute(id) && !id.includes(`${path.sep}node_modules${path.sep}`))
        .filter((id) => fs.existsSync(id))
        .map((id) => path.relative(repoRoot, id).split(path.sep).join('/'))
        .sort();
      const inputs: BuildInputs = { files: [...new Set(files)] };
      this.emitFile({
        type: 'asset',
        fileName: BUILD_INPUTS_FILE,
        source: `${JSON.stringify(inputs, null, 2)}\n`,
      });
    },
  };
}
