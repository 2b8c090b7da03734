import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { TenantContext } from '@bulkhead/context';
import pino, { DestinationStream, Logger } from 'pino';

export const LOG_DESTINATION = Symbol('LogDestination');

type Fields = Record<string, unknown>;

/**
 * The one logger: pino, writing JSON lines that carry tenantId, runId and requestId from the current
 * tenant context, so no caller pastes them by hand and no line can carry another tenant's ids.
 */
@Injectable()
export class AppLogger {
  private readonly pino: Logger;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    context: TenantContext,
    @Inject(LOG_DESTINATION) destination: DestinationStream,
  ) {
    this.pino = pino(
      {
        level: config.LOG_LEVEL,
        base: undefined,
        mixin: () => scopeFields(context),
        // The context's ids win over any field of the same name a caller (agent code) passes.
        mixinMergeStrategy: (fields, scope) => Object.assign({}, fields, scope),
      },
      destination,
    );
  }

  info(event: string, fields: Fields = {}): void {
    this.pino.info(fields, event);
  }

  warn(event: string, fields: Fields = {}): void {
    this.pino.warn(fields, event);
  }

  error(event: string, fields: Fields = {}): void {
    this.pino.error(fields, event);
  }

  debug(event: string, fields: Fields = {}): void {
    this.pino.debug(fields, event);
  }
}

function scopeFields(context: TenantContext): Fields {
  const scope = context.current();
  if (!scope) {
    return {};
  }
  const { tenantId, runId, requestId, scopeId } = scope;
  const fields: Fields = { tenantId, requestId, scopeId };
  if (runId !== undefined) {
    fields.runId = runId;
  }
  return fields;
}
