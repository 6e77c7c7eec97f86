// `pnpm --silent sandbox:info`: the addresses and credential paths, straight from the configuration.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig } from '@fapi-sandbox/fapi-core/config';
import { describe, expect, it } from 'vitest';
import { sandboxInfo } from '../src/sandbox-info.js';

const run = promisify(execFile);

describe('sandboxInfo', () => {
  const config = loadConfig({
    ...process.env,
    FAPI_BANK_OP_PORT: '19443',
    FAPI_DIRECTORY_MTLS_PORT: '18444',
  });
  const info = sandboxInfo(config);

  it('lists every party with its web and mTLS origins, taken from the configuration', () => {
    expect(info.parties.bankOp).toEqual({
      title: config.bankOp.title,
      web: 'https://bank.localhost:19443',
      mtls: config.bankOp.mtls.origin,
    });
    expect(info.parties.directory.mtls).toBe('https://mtls.directory.localhost:18444');
    expect(info.parties.bankApi.web).toBe(config.bankApi.web.origin);
    expect(info.parties.tpp).toMatchObject({ web: config.tpp.web.origin, mtls: null });
  });

  it('gives the issuer, its discovery URL and the bank API base URL', () => {
    expect(info.op).toEqual({
      issuer: 'https://bank.localhost:19443',
      discoveryUrl: 'https://bank.localhost:19443/.well-known/openid-configuration',
    });
    expect(info.bankApi.baseUrl).toBe(config.bankApi.baseUrl);
  });

  it("gives the CA bundle and both TPPs' credential paths and SSA URLs", () => {
    expect(info.caBundle).toBe(config.ca.serverTrustBundle);
    const demo = config.participants.demo;
    expect(info.tpp.demo).toMatchObject({
      transportCert: demo.transportCert,
      transportKey: demo.transportKey,
      signingJwks: demo.signingJwks,
      ssaUrl: `https://mtls.directory.localhost:18444/organisations/${demo.orgId}/software-statements/${demo.softwareId}/ssa`,
    });
    expect(info.tpp.second.transportCert).toBe(config.participants.second.transportCert);
    expect(info.directory.ssaUrlPattern).toBe(
      'https://mtls.directory.localhost:18444/organisations/{orgId}/software-statements/{softwareId}/ssa',
    );
  });

  it("includes the developer portal's invite code once the directory has created it, else null", () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-info-'));
    try {
      const fresh = loadConfig({ ...process.env, FAPI_SANDBOX_DATA_DIR: dataDir });
      expect(sandboxInfo(fresh).inviteCode).toBeNull();
      fs.mkdirSync(path.dirname(fresh.directory.inviteCodeFile), { recursive: true });
      fs.writeFileSync(fresh.directory.inviteCodeFile, 'fapi-7Q2M-K9XD\n');
      expect(sandboxInfo(fresh).inviteCode).toBe('fapi-7Q2M-K9XD');
      expect(sandboxInfo(fresh).directory.portal).toBe(`${fresh.directory.web.origin}/portal`);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('prints the same data as JSON when run as a script', async () => {
    const script = fileURLToPath(new URL('../src/sandbox-info.ts', import.meta.url));
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script], {
      env: { ...process.env, FAPI_BANK_OP_PORT: '19443', FAPI_DIRECTORY_MTLS_PORT: '18444' },
    });
    expect(JSON.parse(stdout)).toEqual(JSON.parse(JSON.stringify(info)));
  });
});
