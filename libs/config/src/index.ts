export {
  ApiConfig,
  AppConfig,
  appConfigSchema,
  parseConfig,
  parseWorkerConfig,
  readWorkerConfig,
  InvalidConfigError,
  StartupError,
} from './app-config';
export { APP_CONFIG, ConfigModule } from './config.module';
export { bootOrExit } from './boot';
