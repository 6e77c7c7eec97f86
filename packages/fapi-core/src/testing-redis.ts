// A real redis-server for tests and local trials of replicas (redis-server.ts): started on loopback on a free
// port of this test worker's block (testing.ts). Never a stand-in: the replicas' sharing is only shown
// against the server they would use.
import {
  type RedisServerOptions,
  type RunningRedisServer,
  startRedisServer as startOn,
} from './redis-server.js';
import { workerPort } from './testing.js';

export type { RunningRedisServer } from './redis-server.js';

export async function startRedisServer(
  env: NodeJS.ProcessEnv = process.env,
  options: RedisServerOptions = {},
): Promise<RunningRedisServer> {
  return startOn(await workerPort(env), options);
}

/**
 * Runs `start` with REDIS_URL set to `url`, for test helpers that build their configuration from the
 * environment (isolatedConfig), and puts the environment back as it was.
 */
export async function withRedisUrl<T>(url: string, start: () => Promise<T>): Promise<T> {
  const before = process.env.REDIS_URL;
  process.env.REDIS_URL = url;
  try {
    return await start();
  } finally {
    if (before === undefined) delete process.env.REDIS_URL;
    else process.env.REDIS_URL = before;
  }
}
