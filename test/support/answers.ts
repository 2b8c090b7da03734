import type { Response } from 'supertest';

/** An error answer, as the API sends it for every failed request (docs/api.md, "Errors"). */
export interface ErrorAnswer {
  readonly statusCode: number;
  readonly code: string;
  readonly message: string;
  readonly details?: readonly { readonly path: string; readonly message: string }[];
}

/** One page of a list: GET /v1/runs, GET /v1/runs/:id/events. */
export interface PageAnswer<Item> {
  readonly items: Item[];
  readonly nextCursor: string | null;
}

/**
 * The JSON body of a supertest response, read as the answer the test expects. supertest types every
 * body `any`; reading it through here (once per response) keeps the lint's no-unsafe-* rules meaningful
 * in tests. It checks nothing at run time: the test's own expectations check the shape.
 */
export function bodyOf<Answer>(response: Response): Answer {
  return response.body as Answer;
}

/** The error answer of a response that failed. */
export function errorOf(response: Response): ErrorAnswer {
  return bodyOf<ErrorAnswer>(response);
}
