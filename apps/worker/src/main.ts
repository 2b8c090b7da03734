import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { ConfigModule, bootOrExit } from '@bulkhead/config';
import { WorkerModule } from './worker.module';

void bootOrExit(async () => {
  const app = await NestFactory.createApplicationContext(
    WorkerModule.with(ConfigModule.fromEnvironment()),
    {
      logger: ['error', 'warn'],
    },
  );
  app.enableShutdownHooks();
  await app.init();
});
