import { PipeTransform } from '@nestjs/common';
import { ValidationError, parseOrThrow, tooDeepAt } from '@bulkhead/errors';
import { z } from 'zod';

/** Deeper bodies are refused before any schema walks them: no legitimate run input nests further. */
export const MAX_BODY_DEPTH = 32;

/** Validates a body, query or params with a zod schema; failures are 400s naming each field. */
export class ZodValidationPipe<Schema extends z.ZodType> implements PipeTransform<
  unknown,
  z.output<Schema>
> {
  constructor(
    private readonly schema: Schema,
    private readonly part: 'body' | 'query' | 'params' = 'body',
  ) {}

  transform(value: unknown): z.output<Schema> {
    if (this.part === 'body') {
      assertJsonObjectBody(value);
    }
    return parseOrThrow(this.schema, value);
  }
}

function assertJsonObjectBody(value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError([
      { path: '', message: 'Send a JSON object body with "Content-Type: application/json".' },
    ]);
  }
  const deepAt = tooDeepAt(value, MAX_BODY_DEPTH);
  if (deepAt !== undefined) {
    throw new ValidationError([
      { path: deepAt, message: `nested deeper than ${MAX_BODY_DEPTH} levels; flatten it.` },
    ]);
  }
}
