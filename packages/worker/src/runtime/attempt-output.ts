import { RunError } from '@bulkhead/store';

export type EncodedOutput =
  { readonly ok: true; readonly json: string } | { readonly ok: false; readonly error: RunError };

/**
 * An agent's result as the JSON its run will store, encoded inside the attempt that produced it, so
 * what JSON cannot encode (a BigInt, a cycle, a function) or what is too large ends the run once,
 * failed with a message that says what to return instead, and never reaches a stored record.
 */
export function encodeOutput(output: unknown, maxBytes: number): EncodedOutput {
  let json: string | undefined;
  try {
    json = JSON.stringify(output ?? null);
  } catch (error) {
    return notJson(error instanceof Error ? error.message : String(error));
  }
  if (json === undefined) {
    return notJson('it is a function or a symbol');
  }
  const bytes = Buffer.byteLength(json);
  if (bytes <= maxBytes) {
    return { ok: true, json };
  }
  return {
    ok: false,
    error: {
      code: 'output_too_large',
      message: `The agent's output is ${bytes} bytes of JSON, over RUN_OUTPUT_MAX_BYTES (${maxBytes}); return less, or store large results elsewhere and return a reference.`,
    },
  };
}

function notJson(reason: string): EncodedOutput {
  return {
    ok: false,
    error: {
      code: 'output_not_json',
      message: `The agent's output cannot be encoded as JSON (${reason}); return plain objects, arrays, strings, numbers, booleans or null.`,
    },
  };
}
