import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { APP_CONFIG, AppConfig, ConfigModule, bootOrExit } from '@bulkhead/config';
import { AppLogger } from '@bulkhead/logging';
import { enableAgentProtocolCors } from './agent-protocol/cors';
import { ApiModule } from './api.module';
import { serveApiReference } from './docs/api-reference';
import { fastifyOptions } from './http/fastify-options';
import { RedisIoAdapter } from './run-events/redis-io.adapter';

// bootOrExit never rejects: it reports any failure of the boot and exits 1.
void bootOrExit(async () => {
  const app = await NestFactory.create<NestFastifyApplication>(
    ApiModule.with(ConfigModule.fromEnvironment()),
    new FastifyAdapter(fastifyOptions()),
    { logger: ['error', 'warn'] },
  );
  const config = app.get<AppConfig>(APP_CONFIG);
  app.useWebSocketAdapter(new RedisIoAdapter(app));
  enableAgentProtocolCors(app, config.LG_CORS_ORIGINS);
  app.enableShutdownHooks();
  await serveApiReference(app);
  await app.listen({ port: config.PORT, host: config.HOST });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  app.get(AppLogger).info('api.listening', { host: config.HOST, port });
});
