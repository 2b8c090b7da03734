/**
 * How one attempt of a run ended, as the job door must act on it:
 * - `ended`: the run reached a terminal state in this attempt (or already had one): the job is done.
 * - `skipped`: nothing ran (cancelled while queued, already finished, or gone): the job is done.
 * - `at_capacity`: the tenant holds its limit of slots: park the job until one frees.
 * - `retrying`: the agent failed and BullMQ will retry it with backoff (the run says so already).
 * - `handed_back`: the worker is stopping; deliver the job again at once without spending an attempt.
 * - `platform_unavailable`: Bulkhead's storage failed, not the agent: deliver again shortly, no
 *   attempt spent.
 */
export type AttemptOutcome =
  | { readonly kind: 'ended'; readonly status: string }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'at_capacity' }
  | { readonly kind: 'retrying'; readonly message: string }
  | { readonly kind: 'handed_back' }
  | { readonly kind: 'platform_unavailable'; readonly error: unknown };
