// The banks' own lists of their rules (GET /sandbox/rules on bank-op and bank-api), read through the
// client engine like every other back-channel read of Moneywise's, and checked for shape. A bank that does
// not answer, or answers something else, is a PartyError (502) naming the party and the fix.
import { randomUUID } from 'node:crypto';
import type { SandboxConfig } from '@fapi-sandbox/fapi-core/config';
import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { type TppEngine, tppStep } from '../connect/engine.js';
import { PartyError } from '../http/party-error.js';
import type { Lane } from '../shared/timeline.js';
import type { StepDescription } from '../trace/steps.js';

const enforcement = z.discriminatedUnion('by', [
  z.object({ by: z.literal('oidc-provider'), setting: z.string() }),
  z.object({ by: z.literal('bank-op'), module: z.string() }),
  z.object({ by: z.literal('oidc-provider + bank-op'), setting: z.string(), module: z.string() }),
]);

const bankOpRules = z.object({
  party: z.literal('bank-op'),
  rules: z.array(
    z.object({
      profile: z.enum(['fapi2', 'fapi1-advanced', 'fapi1-baseline', 'ecosystem']),
      id: z.string(),
      clause: z.string(),
      requirement: z.string(),
      enforcedBy: enforcement,
      fix: z.string().optional(),
      conformance: z.array(z.string()).default([]),
    }),
  ),
});

const bankApiRules = z.object({
  party: z.literal('bank-api'),
  rules: z.array(z.object({ order: z.number(), name: z.string(), clause: z.string(), checks: z.string() })),
});

export type BankOpRule = z.infer<typeof bankOpRules>['rules'][number];
export type BankApiRule = z.infer<typeof bankApiRules>['rules'][number];

const READ_RULES = (party: string): StepDescription => ({
  title: `Read ${party}’s rules`,
  explanation: `${party} publishes the rules it enforces at GET /sandbox/rules, for the rule catalogue page.`,
  clause: 'none: a sandbox endpoint for learners, no specification asks for it',
});

export interface BankRules {
  bankOp: BankOpRule[];
  bankApi: BankApiRule[];
}

export function createBankRulesReader(deps: {
  config: SandboxConfig;
  engine: TppEngine;
  /** Trusts the sandbox CA and presents no certificate: the rules are public. */
  webAgent: Dispatcher;
}) {
  async function read<T>(party: Lane, origin: string, schema: z.ZodType<T>): Promise<T> {
    const step = READ_RULES(party);
    const response = await deps.engine.exchange({
      ...tppStep(step, { interactionId: randomUUID() }),
      kind: 'http',
      method: 'GET',
      headers: {},
      url: `${origin}/sandbox/rules`,
      dispatcher: deps.webAgent,
    });
    if (!response.ok) throw PartyError.fromResponse(party, step.title, response);
    const parsed = schema.safeParse(response.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PartyError({
        party,
        step: step.title,
        upstreamStatus: response.status,
        error: 'invalid_response',
        description: `${party} answered GET /sandbox/rules with a body that is not its rule list (${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'})`,
        fix: `run the same version of ${party} as Moneywise (restart pnpm dev)`,
      });
    }
    return parsed.data;
  }

  return {
    async read(): Promise<BankRules> {
      const [op, api] = await Promise.all([
        read('bank-op', deps.config.bankOp.web.origin, bankOpRules),
        read('bank-api', deps.config.bankApi.web.origin, bankApiRules),
      ]);
      return { bankOp: op.rules, bankApi: api.rules };
    },
  };
}

export type BankRulesReader = ReturnType<typeof createBankRulesReader>;
