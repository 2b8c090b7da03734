import 'reflect-metadata';
import { CallHandler, ExecutionContext, Injectable, Module, NestInterceptor } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { APP_CONFIG, AppConfig, ConfigModule } from '@bulkhead/config';
import { TenantContext } from '@bulkhead/context';
import { PlatformModule } from '@bulkhead/platform';
import { Observable } from 'rxjs';
import { AuthenticatedRequest } from '../../apps/api/src/auth/authenticated-request';
import { DomainErrorFilter } from '../../apps/api/src/http/domain-error.filter';
import { fastifyOptions } from '../../apps/api/src/http/fastify-options';
import { RunsModule } from '../../apps/api/src/runs/runs.module';
import { exitOnFailure } from '../../scripts/exit-on-failure';

/**
 * Bench only, never shipped: the API's submit path (guard, validation, RunSubmission, RunStore, queue)
 * with every provider in default scope. The door enters the tenant context with run() but opens no
 * ExecutionRegistry, so nothing is built per request: what Bulkhead's door costs is the difference.
 */
@Injectable()
class ContextOnlyDoor implements NestInterceptor {
  constructor(private readonly context: TenantContext) {}

  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = execution.switchToHttp().getRequest<AuthenticatedRequest>();
    const owner = request.bulkheadOwner;
    if (!owner) {
      return next.handle();
    }
    const scope = {
      tenantId: owner.tenantId,
      principal: { kind: 'api-key', keyId: owner.keyId } as const,
      requestId: String(request.id),
    };
    return new Observable((subscriber) =>
      this.context.run(scope, () => next.handle().subscribe(subscriber)),
    );
  }
}

@Module({
  imports: [ConfigModule.fromEnvironment(), PlatformModule, RunsModule],
  providers: [
    { provide: APP_FILTER, useClass: DomainErrorFilter },
    { provide: APP_INTERCEPTOR, useClass: ContextOnlyDoor },
  ],
})
class DefaultScopeApiModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(
    DefaultScopeApiModule,
    new FastifyAdapter(fastifyOptions()),
    { logger: ['error', 'warn'] },
  );
  const config = app.get<AppConfig>(APP_CONFIG);
  await app.listen({ port: config.PORT, host: config.HOST });
  const address = app.getHttpServer().address() as { port: number };
  process.stdout.write(`${JSON.stringify({ msg: 'bench.listening', port: address.port })}\n`);
}

main().catch(exitOnFailure);
