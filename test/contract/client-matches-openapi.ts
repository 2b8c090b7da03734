/**
 * Compiled by test/e2e/openapi.e2e-spec.ts after it generated ../../dist/contract/openapi.d.ts from
 * the document a running API serves (openapi-typescript). If the document and the client SDK's types
 * drift apart, this file stops compiling and the test fails.
 */
import type { components, operations } from '../../dist/contract/openapi.js';
import type {
  Agent,
  IssuedKey,
  Run,
  RunEvent,
  RunPage,
  RunStatus,
  Tenant,
  TenantLimits,
} from '../../packages/client/src/index.js';

type Schemas = components['schemas'];
type Body<Op extends keyof operations> = operations[Op] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

/** True only when each type is assignable to the other: what the server sends is what the SDK types. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Holds<T extends true> = T;

export type Answers = [
  Holds<Same<Run, Schemas['Run']>>,
  Holds<Same<RunStatus, Schemas['Run']['status']>>,
  Holds<Same<RunPage, Schemas['RunPage']>>,
  Holds<Same<RunEvent, Schemas['RunEvent']>>,
  Holds<Same<Agent, Schemas['Agent']>>,
  Holds<Same<Tenant, Schemas['Tenant']>>,
  Holds<Same<TenantLimits, Schemas['Tenant']['limits']>>,
  Holds<Same<IssuedKey, Schemas['IssuedKey']>>,
];

/** What the SDK sends is accepted by the document's request schemas. */
type Accepts<Documented, Sent> = [Sent] extends [Documented] ? true : false;
type CreateRunBody = Parameters<
  import('../../packages/client/src/index.js').Bulkhead['runs']['create']
>[0];
type CreateTenantBody = Parameters<
  import('../../packages/client/src/index.js').BulkheadAdmin['tenants']['create']
>[0];
type LimitsPatch = Parameters<
  import('../../packages/client/src/index.js').BulkheadAdmin['tenants']['updateLimits']
>[1];

export type Requests = [
  Holds<Accepts<Body<'createRun'>, CreateRunBody>>,
  Holds<Accepts<Body<'createTenant'>, CreateTenantBody>>,
  Holds<Accepts<Body<'updateTenantLimits'>, LimitsPatch>>,
];
