// Section 4: bank-api under load. One DPoP-bound and one certificate-bound customer token, each sending a
// fixed number of reads at a fixed concurrency; every request is checked (200) and its latency recorded.

import { FapiFlowClient, FLOW_VARIANTS, type FlowVariant } from '@fapi-sandbox/fapi-client';
import type { Customer } from '@fapi-sandbox/fapi-client/customer';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import { createDpopProof, generateDpopKey } from '@fapi-sandbox/fapi-core/jose/dpop';
import { runFlowOnce } from './flows.js';
import { type Summary, summarize, throughput } from './stats.js';

export interface LoadResult {
  count: number;
  concurrency: number;
  elapsedMs: number;
  requestsPerSecond: number;
  latency: Summary;
}

/**
 * Sends `count` requests with at most `concurrency` in flight (each worker sends its next request when its
 * last one answered). A request that fails makes the whole run fail: a figure for errors is no figure.
 */
export async function runLoad(
  count: number,
  concurrency: number,
  request: () => Promise<void>,
): Promise<LoadResult> {
  if (!(Number.isInteger(count) && count > 0)) throw new RangeError(`count must be a positive integer`);
  if (!(Number.isInteger(concurrency) && concurrency > 0)) {
    throw new RangeError(`concurrency must be a positive integer`);
  }
  const latencies: number[] = [];
  let issued = 0;
  let failed = false;
  const worker = async () => {
    while (issued < count && !failed) {
      issued++;
      const started = performance.now();
      try {
        await request();
      } catch (err) {
        // The other workers stop after their request in flight.
        failed = true;
        throw err;
      }
      latencies.push(performance.now() - started);
    }
  };
  const began = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const elapsedMs = performance.now() - began;
  return {
    count,
    concurrency,
    elapsedMs,
    requestsPerSecond: throughput(count, elapsedMs),
    latency: summarize(latencies),
  };
}

export interface ThroughputRow extends LoadResult {
  binding: FlowVariant['binding'];
  endpoint: string;
}

export interface ThroughputResult {
  rows: ThroughputRow[];
  /** Creating one DPoP proof (ES256, with ath and nonce) on the client, alone. */
  dpopProof: Summary;
  /** Times bank-api asked for a fresh nonce during the DPoP runs (a new one each rotation). */
  dpopNonceRetries: number;
}

export interface ThroughputOptions {
  count: number;
  concurrencies: readonly number[];
}

const ENDPOINTS = [
  { name: 'GET /aisp/accounts', path: () => '/aisp/accounts' },
  {
    name: 'GET /aisp/accounts/{id}/transactions',
    path: (accountId: string) => `/aisp/accounts/${accountId}/transactions`,
  },
];

export async function benchThroughput(
  config: SandboxConfig,
  customer: Customer,
  options: ThroughputOptions,
): Promise<ThroughputResult> {
  const rows: ThroughputRow[] = [];
  let dpopNonceRetries = 0;
  for (const id of ['fapi2-dpop', 'fapi2-mtls'] as const) {
    const variant = FLOW_VARIANTS.find((v) => v.id === id)!;
    const client = await FapiFlowClient.connect({ config, variant });
    try {
      const { token, accountIds } = await runFlowOnce(client, customer);
      const retriesBefore = client.dpopNonceRetries;
      for (const endpoint of ENDPOINTS) {
        const path = endpoint.path(accountIds[0]!);
        for (const concurrency of options.concurrencies) {
          const result = await runLoad(options.count, concurrency, async () => {
            const response = await client.api(token, 'GET', path);
            if (response.status !== 200) {
              throw new Error(
                `${endpoint.name} answered ${response.status}: ${JSON.stringify(response.body)}`,
              );
            }
          });
          rows.push({ binding: variant.binding, endpoint: endpoint.name, ...result });
        }
      }
      dpopNonceRetries += client.dpopNonceRetries - retriesBefore;
    } finally {
      await client.close();
    }
  }
  return { rows, dpopProof: await benchDpopProofs(config, options.count), dpopNonceRetries };
}

/** The client-side cost DPoP adds to every request: one ES256 signature over a fresh proof. */
async function benchDpopProofs(config: SandboxConfig, count: number): Promise<Summary> {
  const key = await generateDpopKey('ES256');
  const url = `${config.bankApi.baseUrl}/aisp/accounts`;
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await createDpopProof({
      key,
      method: 'GET',
      url,
      accessToken: 'an-access-token',
      nonce: 'a-server-nonce',
    });
    samples.push(performance.now() - started);
  }
  return summarize(samples);
}
