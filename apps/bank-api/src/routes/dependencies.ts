import type { BankStore } from '@fapi-sandbox/bank-domain';
import type { ApiContract } from '../openapi/contract.js';
import type { createPipeline } from '../pipeline.js';

/** What every Open Banking route module is built from (handed in by app.ts, the composition root). */
export interface RouteDependencies {
  store: BankStore;
  pipeline: ReturnType<typeof createPipeline>;
  /** The OpenAPI document each route checks its request against. */
  contract: ApiContract;
  /** `<origin>/open-banking/v3.1`, for the Links the responses carry. */
  baseUrl: string;
}
