import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { exitOnFailure } from './exit-on-failure';
import { LocalRedis, hasRedisServer, isRedisAt, startLocalRedis } from './local-redis';

/**
 * `npm start`: the whole platform on one machine: one API, one worker, and Redis. With no REDIS_URL
 * and nothing on 127.0.0.1:6379 it starts a throwaway redis-server and says so. For horizontal scaling
 * run `npm run start:api` and `npm run start:worker` as many times as needed instead.
 */
async function main(): Promise<void> {
  const redis = await resolveRedis();
  const env = { ...process.env, REDIS_URL: redis.url, BULKHEAD_ADMIN_TOKEN: adminToken() };
  const children = ['api', 'worker'].map((app) =>
    spawn(process.execPath, [join(__dirname, '..', 'apps', app, 'src', 'main.js')], {
      env,
      stdio: 'inherit',
    }),
  );
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) {
      return;
    }
    stopping = true;
    await Promise.all(children.map(stop));
    await redis.throwaway?.stop();
    process.exit(code);
  };
  for (const child of children) {
    child.once('exit', (code) => {
      stopAll(code ?? 1).catch(exitOnFailure);
    });
  }
  process.once('SIGINT', () => {
    stopAll(0).catch(exitOnFailure);
  });
  process.once('SIGTERM', () => {
    stopAll(0).catch(exitOnFailure);
  });
}

async function resolveRedis(): Promise<{ url: string; throwaway?: LocalRedis }> {
  if (process.env.REDIS_URL) {
    return { url: process.env.REDIS_URL };
  }
  if (await isRedisAt('127.0.0.1', 6379)) {
    return { url: 'redis://127.0.0.1:6379' };
  }
  if (!hasRedisServer()) {
    process.stderr.write(
      'Bulkhead needs Redis: install it (apt-get install redis-server, or brew install redis) or set REDIS_URL.\n',
    );
    process.exit(1);
  }
  const throwaway = await startLocalRedis();
  process.stdout.write(
    `No Redis on 127.0.0.1:6379: started a throwaway redis-server at ${throwaway.url}; its data goes when the platform stops.\n`,
  );
  return { url: throwaway.url, throwaway };
}

function adminToken(): string {
  if (process.env.BULKHEAD_ADMIN_TOKEN) {
    return process.env.BULKHEAD_ADMIN_TOKEN;
  }
  const token = randomBytes(18).toString('base64url');
  process.stdout.write(`BULKHEAD_ADMIN_TOKEN is not set: this run's admin token is ${token}\n`);
  return token;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

main().catch(exitOnFailure);
