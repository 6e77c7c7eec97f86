// Request and answer between the benchmark and a node child it drives (a peer, the load generator) over
// the IPC channel: the child says `ready` once, then answers each request by its id.
import type { BenchProcess } from './child-process.js';
import { failureOf } from './child-process.js';

interface Request {
  id: number;
  method: string;
  params: unknown;
}
type Answer = { id: number; result: unknown } | { id: number; error: string };

/** In the child: tells the parent it is ready (with facts it needs), then serves its requests. */
export function serveRequests(
  ready: unknown,
  handlers: Record<string, (params: never) => Promise<unknown>>,
): void {
  if (!process.send) throw new Error('this process must be started by pnpm bench (it has no IPC channel)');
  process.on('message', (message: Request) => {
    const handler = handlers[message.method];
    const answer = handler
      ? handler(message.params as never)
      : Promise.reject(new Error(`no method ${message.method}`));
    answer.then(
      (result) => process.send?.({ id: message.id, result } satisfies Answer),
      (err: unknown) =>
        process.send?.({ id: message.id, error: (err as Error).stack ?? String(err) } satisfies Answer),
    );
  });
  // The parent going away ends the child.
  process.on('disconnect', () => process.exit(0));
  process.send({ ready });
}

/** In the parent: waits for the child's `ready` message and returns what it sent with it. */
export function whenReady<T>(child: BenchProcess, timeoutMs = 60_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(failureOf(child, `not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: { ready?: T }) => {
      if (!message || !('ready' in message)) return;
      cleanup();
      resolve(message.ready as T);
    };
    const onExit = () => {
      cleanup();
      reject(failureOf(child, 'exited before it was ready'));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.child.off('message', onMessage);
      child.child.off('exit', onExit);
    };
    child.child.on('message', onMessage);
    child.child.once('exit', onExit);
  });
}

let nextId = 0;

/** In the parent: one request to the child, its answer (or its error, with the child's stack). */
export function request<T>(child: BenchProcess, method: string, params: unknown = {}): Promise<T> {
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    const onMessage = (message: Answer) => {
      if (message?.id !== id) return;
      cleanup();
      if ('error' in message) reject(new Error(`${child.name} ${method}: ${message.error}`));
      else resolve(message.result as T);
    };
    const onExit = () => {
      cleanup();
      reject(failureOf(child, `exited during ${method}`));
    };
    const cleanup = () => {
      child.child.off('message', onMessage);
      child.child.off('exit', onExit);
    };
    child.child.on('message', onMessage);
    child.child.once('exit', onExit);
    child.child.send({ id, method, params } satisfies Request);
  });
}
