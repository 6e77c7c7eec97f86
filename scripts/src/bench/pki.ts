// Section 1: how long `pnpm pki` takes to build the whole sandbox PKI (CAs, server, transport and signing
// certificates, JWKS, negative fixtures), each run into a fresh temporary certs folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '@fapi-sandbox/fapi-core/config';
import { generatePki } from '../pki/generate.js';
import { type Summary, summarize, timed } from './stats.js';

export interface PkiResult {
  runs: number[];
  summary: Summary;
  files: number;
}

export async function benchPki(runs: number): Promise<PkiResult> {
  const samples: number[] = [];
  let files = 0;
  for (let i = 0; i < runs; i++) {
    const dir = await mkdtemp(path.join(tmpdir(), 'fapi-bench-pki-'));
    try {
      const config = loadConfig({ ...process.env, FAPI_SANDBOX_CERTS_DIR: path.join(dir, 'certs') });
      const { ms, value } = await timed(() => generatePki(config));
      samples.push(ms);
      files = value.manifest.files.length;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return { runs: samples, summary: summarize(samples), files };
}
