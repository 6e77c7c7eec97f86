// The client engine's directory reads against a real directory: the SSA over mutual TLS, checked with the
// directory's keys before it is sent anywhere, and the bank found in the participants list. Each read is
// an engine exchange the observer sees, sent with the caller's x-fapi-interaction-id.
import { randomUUID } from 'node:crypto';
import { startDirectory } from '@fapi-sandbox/directory';
import {
  checkSoftwareStatement,
  createExchange,
  type EngineContext,
  fetchSoftwareStatement,
  findAuthorisationServer,
  type ObservedExchange,
} from '@fapi-sandbox/fapi-client';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { isolatedConfig, removeTestData } from '@fapi-sandbox/fapi-core/testing';
import { createSandboxAgent, transportAgentFor } from '@fapi-sandbox/fapi-core/tls';
import { generateKeyPair, SignJWT } from 'jose';
import { type Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stoppable } from './support/parties.js';

const SSA = { step: 'ssa', clause: 'RFC 7591 §2.3' };
const SSA_CHECK = { step: 'ssa-check', clause: 'RFC 7591 §2.3' };
const PARTICIPANTS = { step: 'participants', clause: 'FAPI 2.0 SP §5.3.3.1' };

let config: SandboxConfig;
let directory: Stoppable;
let plain: Agent;
let transport: Agent;

beforeAll(async () => {
  config = await isolatedConfig();
  directory = await startDirectory({ config });
  plain = createSandboxAgent({}, config);
  transport = transportAgentFor(config.participants.demo, config);
}, 30_000);

afterAll(async () => {
  await Promise.all([plain?.close(), transport?.close()]);
  await directory?.stop();
  if (config) removeTestData(config);
});

/** An engine whose exchanges are kept, to assert what went over the wire. */
function observedEngine() {
  const exchanges: ObservedExchange[] = [];
  const observer = { exchange: (e: ObservedExchange) => void exchanges.push(e) };
  const engine: EngineContext = { exchange: createExchange({ observer }), observer };
  return { engine, exchanges };
}

async function fetchDemoSsa(engine: EngineContext, interactionId?: string): Promise<string> {
  const fetched = await fetchSoftwareStatement(
    engine,
    { ...SSA, ...(interactionId ? { interactionId } : {}) },
    { directory: config.directory, software: config.participants.demo, transport },
  );
  if ('failed' in fetched) throw new Error(`SSA fetch answered ${fetched.failed.status}`);
  return fetched.ssa;
}

describe('the client engine at the directory', () => {
  it('fetches its SSA over mutual TLS, checks it, and sends the interaction id with each read', async () => {
    const { engine, exchanges } = observedEngine();
    const interactionId = randomUUID();
    const demo = config.participants.demo;
    const ssa = await fetchDemoSsa(engine, interactionId);
    const checked = await checkSoftwareStatement(
      engine,
      { ...SSA_CHECK, interactionId },
      { ssa, directory: config.directory, software: demo, dispatcher: plain },
    );
    expect(checked).toMatchObject({
      claims: { iss: config.directory.web.origin, software_id: demo.softwareId, org_id: demo.orgId },
    });
    if (!('checks' in checked)) throw new Error('no checks');
    expect(checked.checks.map((c) => [c.name, c.passed])).toEqual([
      ['SSA signed by the directory', true],
      ['SSA names this software', true],
    ]);
    expect(exchanges.map((e) => [e.step, e.method, new URL(e.url).pathname, e.status])).toEqual([
      ['ssa', 'GET', `/organisations/${demo.orgId}/software-statements/${demo.softwareId}/ssa`, 200],
      ['ssa-check', 'GET', '/.well-known/jwks.json', 200],
    ]);
    expect(exchanges[0]!.requestHeaders).toEqual({
      accept: 'application/jwt',
      'x-fapi-interaction-id': interactionId,
    });
    expect(exchanges[0]!.url.startsWith(config.directory.mtls.origin)).toBe(true);
    // The directory filed the SSA fetch under the caller's interaction and hands it back to the software's
    // own certificate; the anonymous keys read is no participant's.
    const trace = await fetch(`${config.directory.mtls.origin}/trace?interaction_id=${interactionId}`, {
      dispatcher: transport,
    });
    const events = ((await trace.json()) as { events: { url?: string }[] }).events;
    expect(events.map((e) => e.url)).toEqual([expect.stringMatching(/\/ssa$/)]);
  });

  it('hands back the directory’s refusal when the certificate is revoked (403 access_denied)', async () => {
    const { engine } = observedEngine();
    const revoked = createSandboxAgent(
      { certFile: config.negative.revokedTransportCert, keyFile: config.negative.revokedTransportKey },
      config,
    );
    try {
      const fetched = await fetchSoftwareStatement(engine, SSA, {
        directory: config.directory,
        software: config.participants.demo,
        transport: revoked,
      });
      expect(fetched).toMatchObject({ failed: { status: 403, body: { error: 'access_denied' } } });
    } finally {
      await revoked.close();
    }
  });

  it('refuses an SSA not signed by the directory as invalid_software_statement, with the failed check', async () => {
    const { engine } = observedEngine();
    const { privateKey } = await generateKeyPair('PS256');
    const forged = await new SignJWT({ software_id: 'x', org_id: 'y' })
      .setProtectedHeader({ alg: 'PS256', typ: 'JWT', kid: 'forged' })
      .setIssuer(config.directory.web.origin)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    const checked = await checkSoftwareStatement(engine, SSA_CHECK, {
      ssa: forged,
      directory: config.directory,
      software: config.participants.demo,
      dispatcher: plain,
    });
    expect(checked).toMatchObject({
      refusal: { error: 'invalid_software_statement', clause: 'RFC 7591 §2.3' },
      checks: [{ name: 'SSA signed by the directory', passed: false }],
    });
  });

  it('refuses another software’s statement, so the bank is not asked to register someone else', async () => {
    const { engine } = observedEngine();
    const ssa = await fetchDemoSsa(engine);
    const checked = await checkSoftwareStatement(engine, SSA_CHECK, {
      ssa,
      directory: config.directory,
      software: config.participants.second,
      dispatcher: plain,
    });
    expect(checked).toMatchObject({
      refusal: { error: 'invalid_software_statement', description: expect.stringMatching(/not /) },
      checks: [
        { name: 'SSA signed by the directory', passed: true },
        { name: 'SSA names this software', passed: false },
      ],
    });
  });

  it('finds the bank in the participants list, and refuses a bank the directory does not list', async () => {
    const { engine, exchanges } = observedEngine();
    const found = await findAuthorisationServer(engine, PARTICIPANTS, {
      directory: config.directory,
      bank: config.bank,
      dispatcher: plain,
    });
    expect(found).toMatchObject({
      server: { orgId: config.bank.orgId, issuer: config.bankOp.issuer },
      checks: [{ passed: true, clause: 'UK OB Directory §Participants' }],
    });
    const missing = await findAuthorisationServer(engine, PARTICIPANTS, {
      directory: config.directory,
      bank: { orgId: 'NoSuchBank', orgName: 'No Such Bank' },
      dispatcher: plain,
    });
    expect(missing).toMatchObject({
      refusal: { error: 'bank_not_listed', clause: expect.stringMatching(/FAPI 2.0 SP §5.3.3.1/) },
      checks: [{ passed: false }],
    });
    expect(exchanges[0]!.requestHeaders).not.toHaveProperty('x-fapi-interaction-id');
  });

  it('reports an unreachable directory to the observer, then throws the network failure', async () => {
    const { engine, exchanges } = observedEngine();
    const elsewhere = {
      ...config.directory,
      web: { ...config.directory.web, origin: 'https://127.0.0.1:1' },
    };
    await expect(
      findAuthorisationServer(engine, PARTICIPANTS, {
        directory: elsewhere,
        bank: config.bank,
        dispatcher: plain,
      }),
    ).rejects.toThrow();
    expect(exchanges).toEqual([
      expect.objectContaining({ url: 'https://127.0.0.1:1/participants', failure: expect.any(Error) }),
    ]);
    expect(exchanges[0]!.status).toBeUndefined();
  });
});
