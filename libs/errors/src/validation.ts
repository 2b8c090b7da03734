import { z } from 'zod';
import { ValidationError } from './errors';

/** Parses untrusted data; a failure becomes a ValidationError naming each field (under `prefix`). */
export function parseOrThrow<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  prefix = '',
): z.output<Schema> {
  const result = schema.safeParse(value, { error: briefMessage });
  if (result.success) {
    return result.data;
  }
  throw validationErrorOf(result.error, prefix);
}

export function validationErrorOf(error: z.ZodError, prefix = ''): ValidationError {
  return new ValidationError(
    error.issues.map((issue) => ({ path: pathOf(prefix, issue.path), message: issue.message })),
  );
}

/** How many unknown keys a message names; zod's own would list every one of thousands. */
const KEYS_NAMED = 5;

/** Zod's message, except for unknown keys: named up to KEYS_NAMED, so the message stays short. */
function briefMessage(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'unrecognized_keys') {
    return undefined;
  }
  const keys = issue.keys;
  const named = keys
    .slice(0, KEYS_NAMED)
    .map((key) => JSON.stringify(key))
    .join(', ');
  const more = keys.length > KEYS_NAMED ? ` and ${keys.length - KEYS_NAMED} more` : '';
  return `Unrecognized key${keys.length === 1 ? '' : 's'}: ${named}${more}`;
}

function pathOf(prefix: string, path: readonly PropertyKey[]): string {
  const parts = [prefix, ...path.map(String)].filter((part) => part !== '');
  return parts.join('.');
}

/**
 * The path at which `value` nests deeper than `maxDepth` objects or arrays, or undefined. It walks
 * without building a path per value (a body has thousands of them); the path is built on the way
 * back, only for the one value that is too deep.
 */
export function tooDeepAt(value: unknown, maxDepth: number): string | undefined {
  const found = deepestPathOf(value, maxDepth, 0);
  return found === undefined ? undefined : found.reverse().join('.');
}

function deepestPathOf(value: unknown, maxDepth: number, depth: number): string[] | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  if (depth >= maxDepth) {
    return [];
  }
  for (const key in value) {
    if (!Object.prototype.hasOwnProperty.call(value, key)) {
      continue;
    }
    const found = deepestPathOf((value as Record<string, unknown>)[key], maxDepth, depth + 1);
    if (found !== undefined) {
      found.push(key);
      return found;
    }
  }
  return undefined;
}
