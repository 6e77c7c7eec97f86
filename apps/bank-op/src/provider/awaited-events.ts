// oidc-provider emits its events (grant.revoked, authorization.success, …) and goes on without waiting
// for the listeners: a listener's write to a database or to Redis may land after the response has left,
// and a client that acts on the response at once (calls bank-api with a revoked token, sends the browser
// to another replica) races it. A listener registered here returns a promise, and the response waits for
// every one its request started; one that fails turns the response into a server_error (logged), never a
// success the bank did not finish.
import type { EventEmitter } from 'node:events';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';

export type AwaitedListener<Args extends unknown[]> = (
  ctx: KoaContextWithOIDC,
  ...args: Args
) => Promise<void>;

export interface AwaitedEvents {
  on<Args extends unknown[]>(event: string, listener: AwaitedListener<Args>): void;
}

const byProvider = new WeakMap<Provider, AwaitedEvents>();

/** What a listener came to: nothing, or why it failed (caught at once: no rejection is left unhandled). */
type Outcome = { failed: false } | { failed: true; reason: unknown };

/** The provider's awaited events: one middleware per provider, however many modules register. */
export function awaitedEvents(provider: Provider): AwaitedEvents {
  const known = byProvider.get(provider);
  if (known) return known;
  const pending = new WeakMap<object, Promise<Outcome>[]>();
  provider.use(async (ctx, next) => {
    try {
      await next();
    } finally {
      const outcomes = await Promise.all(pending.get(ctx) ?? []);
      pending.delete(ctx);
      const failure = outcomes.find((outcome) => outcome.failed);
      if (failure) {
        ctx.status = 500;
        ctx.body = {
          error: 'server_error',
          error_description:
            'The bank could not finish this request: a record it writes before answering could not be written. Try again.',
        };
        provider.emit('server_error', ctx, failure.reason);
      }
    }
  });
  const events: AwaitedEvents = {
    on<Args extends unknown[]>(event: string, listener: AwaitedListener<Args>) {
      (provider as unknown as EventEmitter).on(event, (ctx: KoaContextWithOIDC, ...args: unknown[]) => {
        const outcome = listener(ctx, ...(args as Args)).then(
          (): Outcome => ({ failed: false }),
          (reason: unknown): Outcome => ({ failed: true, reason }),
        );
        pending.set(ctx, [...(pending.get(ctx) ?? []), outcome]);
      });
    },
  };
  byProvider.set(provider, events);
  return events;
}
