// The profile that explains a ratio: each sample of a CPU profile goes to the concern of the nearest frame
// that names one, a party's bundle read back to its source files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ConcernNode, samplesByConcern } from '../src/bench/profile-concerns.js';

const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });

describe('samplesByConcern', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'concerns-'));
  const bundle = path.join(dir, 'node_modules', '.cache', 'fapi-sandbox', 'bundles', 'bank-api', 'main.mjs');
  fs.mkdirSync(path.dirname(bundle), { recursive: true });
  // Lines 0-2 are the trace's module, 3-5 bank-api's pipeline (as esbuild writes them).
  fs.writeFileSync(
    bundle,
    [
      '// packages/fapi-core/src/trace.ts',
      'function record() {',
      '}',
      '// apps/bank-api/src/pipeline.ts',
      'function protect() {',
      '}',
    ].join('\n'),
  );
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const url = `file://${bundle}`;
  const nodes: ConcernNode[] = [
    { id: 1, callFrame: frame('(root)', ''), children: [2, 3, 7] },
    {
      id: 2,
      callFrame: frame('handle', '/x/node_modules/.pnpm/express@5/node_modules/express/lib/application.js'),
      children: [4, 5],
    },
    { id: 3, callFrame: frame('(garbage collector)', '') },
    // Under express: the pipeline (bundle line 4), which calls jose and the trace.
    { id: 4, callFrame: frame('protect', url, 4), children: [6, 8] },
    // A TLS write is TLS, whoever called it.
    { id: 5, callFrame: frame('writev', '') },
    {
      id: 6,
      callFrame: frame(
        'verifySignature',
        '/x/node_modules/.pnpm/jose@6/node_modules/jose/dist/webapi/lib/jws_verify.js',
      ),
    },
    { id: 7, callFrame: frame('(program)', '') },
    { id: 8, callFrame: frame('record', url, 1), children: [9] },
    // A native function with no source goes to its caller's concern (the trace here).
    { id: 9, callFrame: frame('stringify', '') },
  ];

  it('gives each sample the concern of its nearest frame that names one, bundle frames by their module', () => {
    const hits = new Map([
      [2, 3],
      [3, 2],
      [4, 5],
      [5, 7],
      [6, 11],
      [7, 1],
      [9, 13],
    ]);
    const byConcern = Object.fromEntries(samplesByConcern(nodes, hits));
    expect(byConcern).toEqual({
      'web framework (express)': 3,
      'garbage collector': 2,
      'the sandbox (checks, routes, pages)': 5,
      'TLS and HTTP (node)': 7,
      'JOSE and cryptography': 11,
      'V8 itself (compiling, ICs)': 1,
      'flow trace (recording, redaction)': 13,
    });
  });
});
