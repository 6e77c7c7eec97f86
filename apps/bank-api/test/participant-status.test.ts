// The directory stays in charge after a token is issued: when it suspends a TPP's software statement or
// its organisation, bank-api refuses that TPP's tokens at the next call (after the one second the
// directory's Cache-Control max-age lets it reuse an answer),
// for DPoP clients that show no certificate as for mTLS ones, and honours the same tokens again once
// the directory reactivates the participant. A directory that cannot be asked is never taken as a yes.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { STATUS_MAX_AGE_SECONDS } from '@fapi-sandbox/directory';
import type { TraceEvent } from '@fapi-sandbox/fapi-core/trace';
import { fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiResponse, TestClient } from './support/clients.js';
import { accountAccess, type Sandbox, startSandbox } from './support/sandbox.js';

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

const PARTICIPANT_CHECK = 'Participant: the software is active in the directory';
/** Long enough for the directory's answer about a participant, reused by bank-api, to expire. */
const afterCacheWindow = () => sleep(STATUS_MAX_AGE_SECONDS * 1000 + 150);

const moneywise = () => sb.config.participants.demo;
const softwarePath = () =>
  `/organisations/${moneywise().orgId}/software-statements/${moneywise().softwareId}`;
const organisationPath = () => `/organisations/${moneywise().orgId}`;

async function setStatus(path: string, status: 'active' | 'suspended'): Promise<void> {
  const response = await sb.directoryAdmin('PATCH', path, { status });
  expect(response.status, await response.text()).toBe(200);
}

/** Runs `body` while the directory lists `path` as suspended, and reactivates it afterwards. */
async function whileSuspended(path: string, body: () => Promise<void>): Promise<void> {
  await setStatus(path, 'suspended');
  try {
    await afterCacheWindow();
    await body();
  } finally {
    await setStatus(path, 'active');
  }
  await afterCacheWindow();
}

async function traceOf(interactionId: string): Promise<TraceEvent[]> {
  const response = await fetch(`${sb.config.bankApi.web.origin}/trace?interaction_id=${interactionId}`, {
    // Moneywise reads its own trace with its transport certificate.
    dispatcher: sb.clients.moneywiseMtls.dispatcher,
  });
  return ((await response.json()) as { events: TraceEvent[] }).events;
}

async function readAccounts(client: TestClient, token: string, interactionId = randomUUID()) {
  return sb.call(client, 'GET', '/aisp/accounts', {
    token,
    headers: { 'x-fapi-interaction-id': interactionId },
  });
}

function expectWithdrawn(response: ApiResponse, scheme: 'DPoP' | 'Bearer', message: RegExp) {
  expect(response.status, JSON.stringify(response.body)).toBe(401);
  expect(response.body.error).toBe('invalid_token');
  expect(response.body.Errors[0].ErrorCode).toBe('invalid_token');
  expect(response.body.error_description).toMatch(message);
  expect(response.headers.get('www-authenticate')).toMatch(new RegExp(`^${scheme} .*error="invalid_token"`));
}

describe('a DPoP client (no certificate at bank-api)', () => {
  it('is refused at the next call once the directory suspends its software, and served again on reactivation', async () => {
    const client = sb.clients.moneywiseDpop;
    const { token, ccToken, consentId } = await accountAccess(sb, client);
    expect((await readAccounts(client, token)).status).toBe(200);

    await whileSuspended(softwarePath(), async () => {
      const id = randomUUID();
      const refused = await readAccounts(client, token, id);
      expectWithdrawn(
        refused,
        'DPoP',
        new RegExp(
          `directory lists software ${moneywise().softwareId} of organisation ${moneywise().orgId} as suspended.*FAPI 2.0 SP section 5.3.4-3.*ask the directory to reactivate`,
        ),
      );
      // The trace shows which check stopped it: every earlier one passed, the participant check failed.
      const [event] = await traceOf(id);
      expect(event!.checks.map((check) => [check.name, check.passed])).toEqual([
        ['FAPI headers and token location', true],
        ['Transport: DPoP proof or mutual-TLS client certificate', true],
        ['Token: signed by bank-op, for this API, in date', true],
        ['Binding: token cnf matches the proof key or certificate', true],
        ['Revocation: neither the token nor its grant is revoked', true],
        [PARTICIPANT_CHECK, false],
      ]);
      expect(event!.checks.at(-1)!.detail).toMatch(/as suspended/);

      // Its client-credentials token too: the participant is withdrawn, whatever the grant.
      const consent = await sb.call(client, 'GET', `/aisp/account-access-consents/${consentId}`, {
        token: ccToken,
      });
      expectWithdrawn(consent, 'DPoP', /as suspended/);
    });

    const id = randomUUID();
    const again = await readAccounts(client, token, id);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    const [event] = await traceOf(id);
    const participant = event!.checks.find((check) => check.name === PARTICIPANT_CHECK);
    expect(participant).toMatchObject({ passed: true });
    expect(participant!.detail).toMatch(/is active \(the directory's software statement of Moneywise/);
  });

  it('is refused while its organisation is suspended, naming the organisation', async () => {
    const client = sb.clients.moneywiseDpop;
    const { token } = await accountAccess(sb, client);
    await whileSuspended(organisationPath(), async () => {
      expectWithdrawn(
        await readAccounts(client, token),
        'DPoP',
        new RegExp(
          `directory lists organisation ${moneywise().orgId} as suspended, and with it its software ${moneywise().softwareId}`,
        ),
      );
      // Another organisation's client is not affected.
      const budgetly = sb.clients.budgetlyDpop;
      const { token: budgetlyToken } = await accountAccess(sb, budgetly);
      expect((await readAccounts(budgetly, budgetlyToken)).status).toBe(200);
    });
    expect((await readAccounts(client, token)).status).toBe(200);
  });
});

describe('an mTLS client', () => {
  it('is refused at the next call once its software is suspended, and served again on reactivation', async () => {
    const client = sb.clients.moneywiseMtls;
    const { token } = await accountAccess(sb, client);
    const id = randomUUID();
    expect((await readAccounts(client, token, id)).status).toBe(200);
    // The transport check's certificate answer already named this software's status: not asked twice.
    const [event] = await traceOf(id);
    expect(event!.checks.find((check) => check.name === PARTICIPANT_CHECK)?.detail).toMatch(
      /is active \(the directory's answer for the client certificate/,
    );

    await whileSuspended(softwarePath(), async () => {
      expectWithdrawn(
        await readAccounts(client, token),
        'Bearer',
        new RegExp(`software ${moneywise().softwareId} of this certificate as suspended`),
      );
    });
    expect((await readAccounts(client, token)).status).toBe(200);
  });

  it('is refused while its organisation is suspended', async () => {
    const client = sb.clients.moneywiseMtls;
    const { token } = await accountAccess(sb, client);
    await whileSuspended(organisationPath(), async () => {
      expectWithdrawn(await readAccounts(client, token), 'Bearer', /as suspended/);
    });
    expect((await readAccounts(client, token)).status).toBe(200);
  });
});

describe("the directory's Cache-Control decides how long bank-api reuses its answer", () => {
  /** GETs the directory has answered for `path` so far (its request log). */
  const directoryReads = (path: string) =>
    sb.logs.filter((line) => line.party === 'directory' && line.msg.startsWith(`GET ${path} `)).length;
  const certificatePath = '/certificate-status';

  it('asks once for concurrent calls within the window, and again after it: then a suspension bites', async () => {
    const client = sb.clients.moneywiseDpop;
    const { token } = await accountAccess(sb, client);
    await afterCacheWindow();
    const before = directoryReads(softwarePath());
    const answers = await Promise.all([1, 2, 3, 4].map(() => readAccounts(client, token)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    // Four calls, one question to the directory: the others shared its answer or reused it.
    expect(directoryReads(softwarePath()) - before).toBe(1);

    await whileSuspended(softwarePath(), async () => {
      const asked = directoryReads(softwarePath());
      expectWithdrawn(await readAccounts(client, token), 'DPoP', /as suspended/);
      // The window had passed: bank-api asked the directory again rather than reuse the old answer.
      expect(directoryReads(softwarePath())).toBe(asked + 1);
    });
  });

  it('reuses the certificate answer of an mTLS client within the window, and asks again after it', async () => {
    const client = sb.clients.moneywiseMtls;
    const { token } = await accountAccess(sb, client);
    await afterCacheWindow();
    const before = directoryReads(certificatePath);
    const answers = await Promise.all([1, 2, 3, 4].map(() => readAccounts(client, token)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    expect(directoryReads(certificatePath) - before).toBe(1);
    await afterCacheWindow();
    expect((await readAccounts(client, token)).status).toBe(200);
    expect(directoryReads(certificatePath) - before).toBe(2);
  });
});

describe('tokens that do not name an active participant', () => {
  it('are refused when they name no software (e.g. issued before tokens carried software_id)', async () => {
    const client = sb.clients.moneywiseDpop;
    const { token: real } = await accountAccess(sb, client);
    const token = await sb.forger.alter(real, { software_id: undefined, org_id: undefined });
    expectWithdrawn(
      await readAccounts(client, token),
      'DPoP',
      /does not name its directory participant \(no software_id or org_id claim\).*obtain a new access token/,
    );
  });

  it('are refused when they name software the directory does not know', async () => {
    const client = sb.clients.moneywiseDpop;
    const { token: real } = await accountAccess(sb, client);
    const token = await sb.forger.alter(real, { software_id: 'NoSuchSoftware' });
    expectWithdrawn(
      await readAccounts(client, token),
      'DPoP',
      /directory does not know software NoSuchSoftware of organisation/,
    );
  });
});

describe('a directory that cannot be asked', () => {
  it('makes the call fail with 503, never pass unchecked', async () => {
    const client = sb.clients.moneywiseDpop;
    const { token } = await accountAccess(sb, client);
    expect((await readAccounts(client, token)).status).toBe(200);
    await sb.withoutDirectory(async () => {
      await afterCacheWindow();
      const response = await readAccounts(client, token);
      expect(response.status, JSON.stringify(response.body)).toBe(503);
      expect(response.body.error).toBe('temporarily_unavailable');
      expect(response.body.Code).toBe('503 ServiceUnavailable');
      expect(response.body.error_description).toMatch(
        new RegExp(
          `could not be asked whether software ${moneywise().softwareId} of organisation ${moneywise().orgId} is still active.*start the directory`,
        ),
      );
    });
    await afterCacheWindow();
    expect((await readAccounts(client, token)).status).toBe(200);
  });
});
