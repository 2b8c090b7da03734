export { AppLogger, LOG_DESTINATION } from './app-logger';
export { LoggingModule } from './logging.module';
