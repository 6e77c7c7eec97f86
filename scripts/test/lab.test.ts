// `pnpm lab check` against the real directory, bank-op and bank-api: each lab's check fails before the
// learner has done the lab's flow and passes after it, read from the parties' own traces.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  attackById,
  FapiFlowClient,
  FLOW_VARIANTS,
  type FlowVariant,
  runAttack,
} from '@fapi-sandbox/fapi-client';
import type { ClientBundle } from '@fapi-sandbox/fapi-core/client-bundle';
import type { Participant, SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { isolatedConfig, removeTestData } from '@fapi-sandbox/fapi-core/testing';
import { describe, expect, it } from 'vitest';
import { runLab } from '../src/lab/cli.js';
import { customerConsents } from './support/journey.js';
import { createLearnerBundle, participantFromBundle } from './support/learner-bundle.js';
import { demoCustomer, useRunningParties } from './support/parties.js';

const variant = (id: FlowVariant['id']) => FLOW_VARIANTS.find((v) => v.id === id)!;

/** The customer's whole journey to their accounts, as the participant, under one variant. */
async function readAccounts(config: SandboxConfig, id: FlowVariant['id'], participant?: Participant) {
  const client = await FapiFlowClient.connect({
    config,
    variant: variant(id),
    ...(participant ? { participant } : {}),
  });
  try {
    const accounts = await client.api(await customerConsents(client), 'GET', '/aisp/accounts');
    expect(accounts.status).toBe(200);
  } finally {
    await client.close();
  }
}

/** `pnpm lab <args>`: its exit code and what it printed. */
async function lab(config: SandboxConfig, ...args: string[]) {
  const printed: string[] = [];
  const code = await runLab(args, config, (line: string) => printed.push(line));
  return { code, output: printed.join('\n') };
}

describe('pnpm lab check, against the running parties', () => {
  let config: SandboxConfig;
  useRunningParties((started) => {
    config = started;
  });

  it('lab 1 fails while no party answers, and passes once they do over verified TLS', async () => {
    const stopped = await isolatedConfig();
    try {
      const before = await lab(stopped, 'check', '1');
      expect(before.code).toBe(1);
      expect(before.output).toMatch(/✗ Directory answers over TLS verified against the sandbox CA/);
      expect(before.output).toMatch(/ECONNREFUSED/);
      expect(before.output).toMatch(/do: start the sandbox with pnpm dev/);
    } finally {
      removeTestData(stopped);
    }
    const after = await lab(config, 'check', 'ecosystem');
    expect(after.output).toMatch(/✓ Bank API answers over TLS/);
    expect(after.output).toMatch(/✓ the sandbox PKI is complete and current/);
    expect(after.code).toBe(0);
  });

  it('labs 2, 3, 4, 5 and 6 each pass only once their own flow has been done', async () => {
    for (const n of ['2', '3', '4', '5', '6']) expect((await lab(config, 'check', n)).code).toBe(1);
    const missing = await lab(config, 'check', 'onboarding');
    expect(missing.output).toMatch(/✗ a software statement \(SSA\) fetched from the directory over mTLS/);
    expect(missing.output).toMatch(/do: connect to the bank in the demo TPP/);

    // Lab 2: connecting is fetching the SSA and registering with it.
    await (await FapiFlowClient.connect({ config, variant: variant('fapi2-dpop') })).close();
    const onboarded = await lab(config, 'check', '2');
    expect(onboarded.output).toMatch(
      /✓ a client registered at bank-op with the SSA[^\n]*\n\s+seen: bank-op POST \/register 201/,
    );
    expect(onboarded.code).toBe(0);
    expect((await lab(config, 'check', '3')).code).toBe(1);

    await readAccounts(config, 'fapi2-dpop');
    expect((await lab(config, 'check', 'fapi2-dpop')).code).toBe(0);
    expect((await lab(config, 'check', '4')).code).toBe(1);

    await readAccounts(config, 'fapi2-mtls');
    const mtls = await lab(config, 'check', '4');
    expect(mtls.output).toMatch(/✓ the customer's accounts read at bank-api with a certificate-bound/);
    expect(mtls.code).toBe(0);
    expect((await lab(config, 'check', '5')).code).toBe(1);

    await readAccounts(config, 'fapi1-advanced');
    const fapi1 = await lab(config, 'check', 'fapi1-advanced');
    expect(fapi1.output).toMatch(/✓ an authorization request pushed as a signed request object/);
    expect(fapi1.output).toMatch(/✓ an authorization response as a JWT the bank signed \(JARM\)/);
    expect(fapi1.code).toBe(0);

    // Every flow above met a DPoP nonce challenge (a 400 with a failed check): that is no attack.
    const noAttack = await lab(config, 'check', '6');
    expect(noAttack.output).toMatch(/✗ an attack refused/);
    expect(noAttack.code).toBe(1);
    const outcome = await runAttack(attackById('code-reuse')!, {
      config,
      variant: variant('fapi2-dpop'),
      customer: demoCustomer(),
    });
    expect(outcome.matched).toBe(true);
    const attacked = await lab(config, 'check', 'attack-lab');
    expect(attacked.output).toMatch(
      /✓ an attack refused[^\n]*\n\s+seen: bank-op POST \/token 400 [^\n]*FAPI 2\.0 SP §5\.3\.2\.2-9/,
    );
    expect(attacked.code).toBe(0);
  }, 120_000);

  it('lab 8 reads only the learner’s own traffic, with their bundle, and passes once their client read accounts', async () => {
    const withoutBundle = await lab(config, 'check', '8');
    expect(withoutBundle.output).toMatch(/no client bundle given/);
    expect(withoutBundle.code).toBe(1);

    const bundle: ClientBundle = await createLearnerBundle(config);
    const folder = path.join(config.dataDir, 'learner');
    fs.mkdirSync(folder);
    const bundleFile = path.join(folder, `${bundle.software.softwareId}.bundle.json`);
    fs.writeFileSync(bundleFile, JSON.stringify(bundle), { mode: 0o600 });

    // Moneywise has done every flow by now (the tests above): none of that is the learner's evidence.
    await readAccounts(config, 'fapi2-mtls');
    const before = await lab(config, 'check', 'own-client', '--bundle', bundleFile);
    expect(before.output).toMatch(/✗ a software statement \(SSA\) fetched/);
    expect(before.output).toMatch(
      /✗ the customer's accounts read at bank-api with a sender-constrained token/,
    );
    expect(before.code).toBe(1);

    await readAccounts(config, 'fapi2-dpop', participantFromBundle(bundle, folder));
    const after = await lab(config, 'check', '8', '--bundle', bundleFile);
    expect(after.output).toMatch(/✓ a client registered at bank-op/);
    expect(after.output).toMatch(
      /✓ the customer's accounts read at bank-api with a sender-constrained token/,
    );
    expect(after.code).toBe(0);
  }, 120_000);

  it('lab 7 passes once a payment was made and then retried with the same idempotency key', async () => {
    expect((await lab(config, 'check', 'payments')).code).toBe(1);
    // The retry: every POST /pisp/domestic-payments of this client goes with one idempotency key.
    const retryKey = randomUUID();
    const client = await FapiFlowClient.connect({
      config,
      variant: variant('fapi2-mtls'),
      bend: (message) => {
        if (message.kind !== 'http' || !message.url.endsWith('/pisp/domestic-payments')) return undefined;
        message.headers['x-idempotency-key'] = retryKey;
        return message;
      },
    });
    try {
      const initiation = {
        InstructionIdentification: 'LAB-7',
        EndToEndIdentification: 'E2E-LAB-7',
        InstructedAmount: { Amount: '9.99', Currency: 'GBP' },
        CreditorAccount: {
          SchemeName: 'UK.OBIE.SortCodeAccountNumber',
          Identification: '08080021325698',
          Name: 'ACME Plumbing Ltd',
        },
      };
      const consent = await client.api(
        await client.clientCredentialsToken('payments'),
        'POST',
        '/pisp/domestic-payment-consents',
        {
          Data: { Initiation: initiation },
          Risk: {},
        },
      );
      const consentId = consent.body.Data.ConsentId;
      const pending = await client.pushAuthorizationRequest(consentId, 'openid payments');
      const code = await client.authorizationCode(
        await client.customerAuthorizes(pending, demoCustomer()),
        pending,
      );
      const token = await client.exchangeCode(pending, code);
      const payment = { Data: { ConsentId: consentId, Initiation: initiation }, Risk: {} };
      const first = await client.api(token, 'POST', '/pisp/domestic-payments', payment);
      expect(first.status).toBe(201);
      const paid = await lab(config, 'check', '7');
      expect(paid.output).toMatch(/✓ a domestic payment made/);
      expect(paid.output).toMatch(/✗ a payment retried with the same x-idempotency-key/);
      expect(paid.code).toBe(1);

      const retry = await client.api(token, 'POST', '/pisp/domestic-payments', payment);
      expect(retry.body.Data.DomesticPaymentId).toBe(first.body.Data.DomesticPaymentId);
      expect((await lab(config, 'check', '7')).code).toBe(0);
    } finally {
      await client.close();
    }
  }, 60_000);
});
