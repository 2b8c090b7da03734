import { Global, Module } from '@nestjs/common';
import pino from 'pino';
import { AppLogger, LOG_DESTINATION } from './app-logger';

@Global()
@Module({
  providers: [AppLogger, { provide: LOG_DESTINATION, useFactory: () => pino.destination(1) }],
  exports: [AppLogger],
})
export class LoggingModule {}
