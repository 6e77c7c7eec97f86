// `pnpm dev` as a learner runs it: the real CLI starting every real party on free ports. A party
// killed under it is reported and comes back (watch mode) or stops the sandbox (--no-watch); Ctrl-C
// ends every party and exits 0.
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntilHealthy } from '../src/dev/wait-ready.js';
import { isAlive, lastPidOf, portIsClosed, startDev, stopDevRuns, until } from './support/dev-run.js';

function allPorts(config: SandboxConfig): number[] {
  return [
    config.directory.web.port,
    config.directory.mtls.port,
    config.bankOp.web.port,
    config.bankOp.mtls.port,
    config.bankApi.web.port,
    config.tpp.web.port,
  ];
}

afterEach(stopDevRuns, 30_000);

describe('pnpm dev supervises its parties', () => {
  it('reports a killed bank-op with its exit and last lines, restarts it healthy, and Ctrl-C then stops every party with exit 0', async () => {
    const run = await startDev([]);
    const killed = lastPidOf(run, 'bank-op');
    process.kill(killed, 'SIGKILL');

    await until(run, /✖ bank-op exited \(signal SIGKILL\)\. Its last \d+ lines:/, 10_000);
    // The exit report's last lines, as readable as the live ones.
    expect(run.output()).toMatch(/ {2}│ \[[\d:]+\] INFO: ready: https:\/\/bank\.localhost/);
    // Each party's JSON log lines shown readable, under its prefix only once.
    expect(run.output()).toMatch(/bank-op\s+│ \[[\d:]+\] INFO: ready: https:\/\/bank\.localhost/);
    expect(run.output()).toMatch(/tpp\s+│ \[[\d:]+\] INFO: GET \/health 200 \d+ ms/);
    expect(run.output()).not.toMatch(
      /(directory|bank-op|bank-api|tpp)\s+│ (\[directory\] |bank-op |bank-api |tpp )/,
    );
    expect(run.output()).not.toMatch(/│ \{"level"/);
    await until(run, /Restarting bank-op in 1 s/, 1000);
    await until(run, /bank-op is healthy again/, 90_000);
    const restarted = lastPidOf(run, 'bank-op');
    expect(restarted).not.toBe(killed);
    await waitUntilHealthy(`${run.config.bankOp.web.origin}/health`, run.config, {
      timeoutMs: 5000,
      isAlive: () => true,
    });

    const partyPids = ['directory', 'bank-op', 'bank-api', 'tpp'].map((party) => lastPidOf(run, party));
    process.kill(run.child.pid!, 'SIGINT');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    expect(run.output()).toContain('Every party stopped.');
    expect(run.output()).not.toMatch(/Force killing|ERR_PNPM|ELIFECYCLE/);
    expect(partyPids.filter(isAlive)).toEqual([]);
    for (const port of allPorts(run.config)) expect(await portIsClosed(port), `port ${port}`).toBe(true);
  }, 240_000);

  it('with --no-watch, a killed party stops the whole sandbox with a non-zero exit that names it', async () => {
    const run = await startDev(['--no-watch']);
    const partyPids = ['directory', 'bank-op', 'bank-api', 'tpp'].map((party) => lastPidOf(run, party));
    process.kill(lastPidOf(run, 'bank-api'), 'SIGKILL');

    expect(await run.exited).toEqual({ code: 1, signal: null });
    expect(run.output()).toMatch(/✖ bank-api exited \(signal SIGKILL\)/);
    expect(run.output()).toContain('--no-watch is fail-fast: stopping every party.');
    expect(run.output()).not.toMatch(/Restarting bank-api/);
    expect(partyPids.filter(isAlive)).toEqual([]);
    for (const port of allPorts(run.config)) expect(await portIsClosed(port), `port ${port}`).toBe(true);
  }, 240_000);
});
