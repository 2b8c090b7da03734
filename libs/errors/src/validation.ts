import { z } from 'zod';
import { ValidationError } from './errors';

/** Parses untrusted data; a failure becomes a ValidationError naming each field (under `prefix`). */
export function parseOrThrow<Schema extends z.ZodType>(
  schema: Schema,
  value: unknown,
  prefix = '',
): z.output<Schema> {
  const result = schema.safeParse(value);
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

function pathOf(prefix: string, path: readonly PropertyKey[]): string {
  const parts = [prefix, ...path.map(String)].filter((part) => part !== '');
  return parts.join('.');
}

/** The path at which `value` nests deeper than `maxDepth` objects or arrays, or undefined. */
export function tooDeepAt(
  value: unknown,
  maxDepth: number,
  path: string[] = [],
): string | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  if (path.length >= maxDepth) {
    return path.join('.');
  }
  for (const [key, child] of Object.entries(value)) {
    const found = tooDeepAt(child, maxDepth, [...path, key]);
    if (found !== undefined) {
      return found;
    }
  }
  return undefined;
}
