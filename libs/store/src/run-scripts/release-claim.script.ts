import { RunScript, textAt } from './run-script';

/**
 * bulkheadReleaseClaim: an Idempotency-Key's claim whose run has expired is deleted, only if it still
 * holds the value it had, so a claim made meanwhile by a concurrent submission stays.
 *
 * KEYS[1]  claim    the claim
 * ARGV[1]  the value it held ("<runId> <requestHash>")
 * Returns  1 when deleted, 0 otherwise
 */
const LUA = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export interface ReleaseArgs {
  readonly claimKey: string;
  readonly held: string;
}

export const releaseClaim: RunScript<ReleaseArgs, boolean> = {
  name: 'bulkheadReleaseClaim',
  lua: LUA,
  keyCount: 1,
  keys: (_, args) => [args.claimKey],
  argv: (_, args) => [args.held],
  parse: (reply) => textAt([reply], 0) === '1',
};
