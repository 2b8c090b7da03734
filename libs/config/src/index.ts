export {
  ApiConfig,
  AppConfig,
  appConfigSchema,
  parseConfig,
  parseWorkerConfig,
  readWorkerConfig,
  InvalidConfigError,
} from './app-config';
export { APP_CONFIG, ConfigModule } from './config.module';
export { bootOrExit } from './boot';
