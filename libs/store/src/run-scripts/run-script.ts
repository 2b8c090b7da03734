import type { Redis } from 'ioredis';

export type ScriptArg = string | number;

/** Every key of one run's tenant a run script may touch, by name; each script takes the ones it uses. */
export interface RunKeys {
  readonly run: string;
  readonly events: string;
  readonly all: string;
  readonly queued: string;
  readonly running: string;
  readonly succeeded: string;
  readonly failed: string;
  readonly cancelled: string;
  readonly order: string;
  readonly parked: string;
  readonly limits: string;
  readonly woken: string;
  readonly finished: string;
}

/** What every call knows about the run and the deployment; each script passes on what it uses. */
export interface RunScriptContext {
  readonly tenantId: string;
  readonly runId: string;
  /** ISO time of the caller, written into records and events. */
  readonly now: string;
  readonly maxEvents: number;
  readonly eventsChannel: string;
  readonly retentionSeconds: number;
  readonly defaults: {
    readonly maxConcurrentRuns: number;
    readonly maxQueuedRuns: number;
    readonly runsPerMinute: number;
    readonly maxStoredRuns: number;
  };
  /** The most runs the tenant may hold on the live fleet; 0 while no worker is registered. */
  readonly fleetShare: number;
}

/**
 * ARGV[1..5] of every script that appends a run's event (lua/run-events.lua.ts reads them as
 * tenantId, runId, now, maxlen and channel): one list, so the scripts cannot disagree on the order.
 */
export function eventArgv(c: RunScriptContext): ScriptArg[] {
  return [c.tenantId, c.runId, c.now, c.maxEvents, c.eventsChannel];
}

/**
 * One Lua script with its typed wrapper: the keys and arguments it is given (in the order its header
 * names them) and the outcome its reply becomes. Scripts are registered once per connection with
 * ioredis's defineCommand, which calls them by SHA and reloads them after a SCRIPT FLUSH.
 */
export interface RunScript<Args, Outcome> {
  readonly name: string;
  readonly lua: string;
  /** How many of the script's arguments are keys: what keys() returns, always. */
  readonly keyCount: number;
  keys(keys: RunKeys, args: Args): string[];
  argv(context: RunScriptContext, args: Args): ScriptArg[];
  parse(reply: unknown): Outcome;
}

export function defineScript(
  redis: Redis,
  script: { readonly name: string; readonly lua: string; readonly keyCount: number },
): void {
  redis.defineCommand(script.name, { numberOfKeys: script.keyCount, lua: script.lua });
}

/** Runs a script defined on `redis` by its name, and parses its reply. */
export async function callScript<Args, Outcome>(
  redis: Redis,
  script: RunScript<Args, Outcome>,
  keys: RunKeys,
  context: RunScriptContext,
  args: Args,
): Promise<Outcome> {
  // defineCommand adds the script as a method named after it; ioredis types only what it declares.
  const command = (redis as unknown as Record<string, (...a: ScriptArg[]) => Promise<unknown>>)[
    script.name
  ];
  if (!command) {
    throw new Error(`Run script ${script.name} is not defined on this connection.`);
  }
  const reply = await command.call(
    redis,
    ...script.keys(keys, args),
    ...script.argv(context, args),
  );
  return script.parse(reply);
}

/** A reply's element as a string ('' when absent), for the scripts' flat array replies. */
export function textAt(reply: unknown, index: number): string {
  if (!Array.isArray(reply)) {
    return '';
  }
  const value: unknown = reply[index];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

export function listAt(reply: unknown, index: number): string[] {
  if (!Array.isArray(reply)) {
    return [];
  }
  const value: unknown = reply[index];
  return Array.isArray(value) ? value.map(String) : [];
}
