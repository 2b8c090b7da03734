import { readFileSync } from 'node:fs';
import type { RunMetadata } from '@bulkhead/client';
import { InvalidArgumentError } from 'commander';
import { isRecord } from './is-record.js';

/**
 * Parsers commander runs on option values. Each throws commander's InvalidArgumentError, so a bad
 * value is reported like any other usage error ("option '--limit <n>' argument 'x' is invalid. …")
 * and exits 2 before any request is sent.
 */

const INTEGER = /^\d+$/;

export function parsePositiveInteger(value: string): number {
  const parsed = INTEGER.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < 1) {
    throw new InvalidArgumentError('Expected a positive integer (1, 2, 3 …).');
  }
  return parsed;
}

/** An event id to resume after: 0 means "from the first event". */
export function parseEventId(value: string): number {
  const parsed = INTEGER.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed)) {
    throw new InvalidArgumentError('Expected an event id: 0 or a positive integer.');
  }
  return parsed;
}

/** A provider's priority, as the API takes it: 0 to 1000, lower first. */
export function parsePriority(value: string): number {
  const parsed = INTEGER.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed > 1_000) {
    throw new InvalidArgumentError('Expected a priority from 0 to 1000 (lower first).');
  }
  return parsed;
}

/**
 * A tenant limit: a positive integer sets it, `default` returns it to the platform default. The
 * word is kept as is (commander turns a parser's null into ''); the command sends it as null.
 */
export function parseLimit(value: string): number | 'default' {
  if (value === 'default') {
    return value;
  }
  try {
    return parsePositiveInteger(value);
  } catch {
    throw new InvalidArgumentError('Expected a positive integer, or "default" to reset the limit.');
  }
}

/** JSON given inline (`'{"steps":3}'`) or read from a file (`@input.json`). */
export function parseJson(value: string): unknown {
  const text = value.startsWith('@') ? readJsonFile(value.slice(1)) : value;
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new InvalidArgumentError(`Not valid JSON: ${messageOf(error)}`);
  }
}

/**
 * Run metadata: a JSON object of strings, numbers, booleans or null (docs/api.md). Checked here so
 * a typo fails before the request, with the key named.
 */
export function parseMetadata(value: string): RunMetadata {
  const parsed = parseJson(value);
  if (!isRecord(parsed)) {
    throw new InvalidArgumentError('Expected a JSON object, like {"a":1}.');
  }
  const metadata: RunMetadata = {};
  for (const [key, field] of Object.entries(parsed)) {
    if (!isScalar(field)) {
      throw new InvalidArgumentError(`"${key}" must be a string, number, boolean or null.`);
    }
    metadata[key] = field;
  }
  return metadata;
}

function isScalar(value: unknown): value is string | number | boolean | null {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

function readJsonFile(path: string): string {
  if (path === '') {
    throw new InvalidArgumentError('Name a file after @, like @input.json.');
  }
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError(`Cannot read ${path}: ${messageOf(error)}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
