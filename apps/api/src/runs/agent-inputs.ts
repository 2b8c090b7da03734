import { Injectable } from '@nestjs/common';
import { ServiceUnavailableError, UnknownAgentError, ValidationError } from '@bulkhead/errors';
import { TenantId } from '@bulkhead/context';
import { AgentManifest, AgentRegistry, AgentVersions } from '@bulkhead/store';
import { Ajv2020, ErrorObject, ValidateFunction } from 'ajv/dist/2020';

/** Compiled input schemas kept per API process, one per agent version, the oldest dropped first. */
export const COMPILED_SCHEMAS_MAX = 256;

/**
 * A run's input checked against its agent's registered JSON Schema (AgentRegistry), so the API holds
 * no agent code. Defaults in the schema are applied, as the worker's own schema would; the worker
 * still parses the input with the agent's definition before it runs. Each version is compiled once.
 */
@Injectable()
export class AgentInputs {
  // addUsedSchema false: a schema's `$id` is not held globally, so a recompile of it cannot collide.
  private readonly ajv = new Ajv2020({
    useDefaults: true,
    strict: false,
    allErrors: false,
    addUsedSchema: false,
  });
  /** One entry per agent version: its validator, or the error its schema failed to compile with. */
  private readonly compiled = new Map<string, ValidateFunction | ServiceUnavailableError>();

  constructor(private readonly registry: AgentRegistry) {}

  /**
   * The agent's versions a run is checked against, or UnknownAgentError naming the agents the tenant
   * may use: an agent it may not use answers exactly like one that does not exist.
   */
  async versionsOf(tenantId: TenantId, name: string): Promise<AgentVersions> {
    const versions = await this.registry.versionsFor(tenantId, name);
    if (!versions) {
      const usable = await this.registry.listFor(tenantId);
      throw new UnknownAgentError(
        name,
        usable.map((agent) => agent.name),
      );
    }
    return versions;
  }

  /**
   * The input as it is stored, or ValidationError naming `input.<field>`. With one live version, its
   * schema's defaults are applied. During a rolling deploy the input must suit every live version,
   * since any of their workers may take the run, and it is stored as sent: each worker's own
   * definition applies its defaults.
   */
  parse({ live }: AgentVersions, input: unknown): unknown {
    const [only, ...others] = live;
    if (only && others.length === 0) {
      return this.validated(only, input);
    }
    for (const manifest of live) {
      this.validated(manifest, structuredClone(input));
    }
    return input;
  }

  private validated(manifest: AgentManifest, input: unknown): unknown {
    const validate = this.validatorOf(manifest);
    if (validate(input)) {
      return input;
    }
    throw new ValidationError((validate.errors ?? []).map(issueOf));
  }

  private validatorOf(manifest: AgentManifest): ValidateFunction {
    const id = `${manifest.name}@${manifest.version}`;
    const known = this.compiled.get(id) ?? this.remember(id, this.compile(manifest));
    if (known instanceof ServiceUnavailableError) {
      throw known;
    }
    return known;
  }

  /**
   * A schema that does not compile was not written by the SDK (it registers zod's JSON Schema): the
   * agent cannot be validated, so its runs are refused as unavailable rather than failing as a 500.
   */
  private compile(manifest: AgentManifest): ValidateFunction | ServiceUnavailableError {
    try {
      return this.ajv.compile(manifest.inputSchema);
    } catch {
      this.ajv.removeSchema(manifest.inputSchema);
      return new ServiceUnavailableError(
        `Agent ${manifest.name} registered an input schema that cannot be used; its workers must register it again.`,
      );
    }
  }

  /** Keeps at most COMPILED_SCHEMAS_MAX versions; the oldest leaves ajv's own cache too. */
  private remember(
    id: string,
    entry: ValidateFunction | ServiceUnavailableError,
  ): ValidateFunction | ServiceUnavailableError {
    this.compiled.set(id, entry);
    if (this.compiled.size > COMPILED_SCHEMAS_MAX) {
      const [oldestId, oldest] = this.compiled.entries().next().value ?? [id, entry];
      this.compiled.delete(oldestId);
      if (typeof oldest === 'function') {
        this.ajv.removeSchema(oldest.schema);
      }
    }
    return entry;
  }
}

/** An ajv error as the API's validation answers name fields: `input.steps`, `input.items.2`. */
function issueOf(error: ErrorObject): { path: string; message: string } {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as { missingProperty?: unknown; additionalProperty?: unknown };
  const named = params.missingProperty ?? params.additionalProperty;
  if (typeof named === 'string') {
    segments.push(named);
  }
  return { path: ['input', ...segments].join('.'), message: error.message ?? 'is invalid' };
}
