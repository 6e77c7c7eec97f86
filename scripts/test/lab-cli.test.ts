// `pnpm lab` and `pnpm inspect` refuse what they cannot use with exit code 2 and a message that says what
// to do, before reading anything from the sandbox.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@fapi-sandbox/fapi-core/config';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runInspect } from '../src/inspect/cli.js';
import { runLab } from '../src/lab/cli.js';

const config = loadConfig();

describe('pnpm lab and pnpm inspect: usage errors', () => {
  const errors: string[] = [];
  afterEach(() => {
    errors.length = 0;
    vi.restoreAllMocks();
  });
  const captureErrors = () =>
    vi.spyOn(console, 'error').mockImplementation((line: string) => {
      errors.push(line);
    });

  it('names the labs when asked for one that does not exist', async () => {
    captureErrors();
    expect(await runLab(['check', '9'], config, () => {})).toBe(2);
    expect(errors.join('\n')).toMatch(
      /there is no lab '9': one of 1 ecosystem, 2 onboarding, .*8 own-client/,
    );
  });

  it('refuses a file that is not a client bundle, saying where to get one', async () => {
    captureErrors();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lab-cli-')), 'not-a-bundle.json');
    fs.writeFileSync(file, JSON.stringify({ format: 'something-else' }));
    try {
      expect(await runLab(['check', '8', '--bundle', file], config, () => {})).toBe(2);
      expect((await runInspect(['--bundle', file], config, () => {})).code).toBe(2);
      expect(errors).toHaveLength(2);
      for (const error of errors) {
        expect(error).toMatch(
          /is not a fapi-sandbox\/client-bundle@1 file .*download it again from the directory/,
        );
      }
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true });
    }
  });

  it('asks for the bundle the inspector reads with', async () => {
    captureErrors();
    expect((await runInspect([], config, () => {})).code).toBe(2);
    expect(errors.join('\n')).toMatch(/name your client bundle: --bundle <softwareId>\.bundle\.json/);
  });
});
