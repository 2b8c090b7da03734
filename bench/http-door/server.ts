import 'reflect-metadata';
import {
  Body,
  CallHandler,
  CanActivate,
  Controller,
  ExecutionContext,
  HttpCode,
  INestApplication,
  Inject,
  Injectable,
  Module,
  NestInterceptor,
  Post,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ConfigModule, parseConfig } from '@bulkhead/config';
import { ContextModule, TenantContext, TenantId } from '@bulkhead/context';
import { LoggingModule } from '@bulkhead/logging';
import { ExecutionRegistry, RegistryModule } from '@bulkhead/registry';
import { Redis } from 'ioredis';
import { Server } from 'node:http';
import { Observable } from 'rxjs';
import { TenantScopeInterceptor } from '../../apps/api/src/http/tenant-scope.interceptor';
import { exitOnFailure } from '../../scripts/exit-on-failure';

/**
 * One POST route doing one Redis write, served six ways, to measure what the per-request door costs:
 *   fastify-bare            singleton controller, nothing per request
 *   fastify-guard           + the guard that sets the request's owner
 *   fastify-context         + an interceptor that only enters the tenant context with run()
 *   fastify-door            Bulkhead's design: singleton controller, registry + context opened by the interceptor
 *   fastify-request-scoped  the controller injects the REQUEST-scoped registry (Nest rebuilds it per request)
 *   express-bare            singleton controller on Express
 * Run by bench/http-door/run.ts; argv: variant, redis url, key prefix.
 */
const [variant = 'fastify-bare', redisUrl = 'redis://127.0.0.1:6379', prefix = 'bh-bench'] =
  process.argv.slice(2);
const REDIS = Symbol('Redis');
const KEYS = 1_000;

/** Stands in for ApiKeyGuard without a Redis read, so only the door's own cost is measured. */
@Injectable()
class FixedOwnerGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    context.switchToHttp().getRequest<{ bulkheadOwner?: unknown }>().bulkheadOwner = {
      tenantId: 'bench' as TenantId,
      keyId: 'k',
    };
    return true;
  }
}

let written = 0;
function write(redis: Redis, body: unknown): Promise<unknown> {
  written = (written + 1) % KEYS;
  return redis.set(`${prefix}:{bench}:write:${written}`, JSON.stringify(body ?? null));
}

@Controller('bench')
class BareController {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  @Post()
  @HttpCode(202)
  async submit(@Body() body: unknown): Promise<{ ok: true }> {
    await write(this.redis, body);
    return { ok: true };
  }
}

/** The context half of the door alone: run() around the handler, no registry. */
@Injectable()
class ContextOnlyInterceptor implements NestInterceptor {
  constructor(private readonly context: TenantContext) {}

  intercept(_execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    const scope = {
      tenantId: 'bench' as TenantId,
      requestId: 'r',
      principal: { kind: 'api-key', keyId: 'k' } as const,
    };
    return new Observable((subscriber) =>
      this.context.run(scope, () => next.handle().subscribe(subscriber)),
    );
  }
}

@Controller('bench')
@UseGuards(FixedOwnerGuard)
class GuardedController extends BareController {}

@Controller('bench')
@UseGuards(FixedOwnerGuard)
@UseInterceptors(ContextOnlyInterceptor)
class ContextController extends BareController {}

@Controller('bench')
@UseGuards(FixedOwnerGuard)
@UseInterceptors(TenantScopeInterceptor)
class DoorController extends BareController {}

@Controller('bench')
@UseGuards(FixedOwnerGuard)
class RequestScopedController {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly registry: ExecutionRegistry,
  ) {}

  @Post()
  @HttpCode(202)
  async submit(@Body() body: unknown): Promise<{ ok: true }> {
    this.registry.bind('bench' as TenantId);
    await write(this.redis, body);
    await this.registry.dispose();
    return { ok: true };
  }
}

const controllerOf: Record<string, unknown> = {
  'fastify-bare': BareController,
  'fastify-guard': GuardedController,
  'fastify-context': ContextController,
  'fastify-door': DoorController,
  'fastify-request-scoped': RequestScopedController,
  'express-bare': BareController,
};

async function main(): Promise<void> {
  const controller = controllerOf[variant];
  if (!controller) {
    throw new Error(`unknown variant ${variant}`);
  }
  const config = parseConfig({
    BULKHEAD_ADMIN_TOKEN: 'bench-admin-token-0123',
    LOG_LEVEL: 'silent',
    REDIS_URL: redisUrl,
  });

  @Module({
    imports: [ConfigModule.withConfig(config), ContextModule, LoggingModule, RegistryModule],
    controllers: [controller as new (...args: never[]) => unknown],
    providers: [
      { provide: REDIS, useFactory: () => new Redis(redisUrl) },
      FixedOwnerGuard,
      TenantScopeInterceptor,
      ContextOnlyInterceptor,
    ],
  })
  class BenchModule {}

  const adapter = variant.startsWith('express') ? new ExpressAdapter() : new FastifyAdapter();
  // Both adapters serve on a node:http Server; Nest types it `any` unless told.
  const app = await NestFactory.create<INestApplication<Server>>(BenchModule, adapter, {
    logger: false,
  });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  process.stdout.write(`${JSON.stringify({ msg: 'bench.listening', port: address.port })}\n`);
}

main().catch(exitOnFailure);
