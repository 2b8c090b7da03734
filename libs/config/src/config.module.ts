import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig, parseConfig } from './app-config';

export const APP_CONFIG = Symbol('AppConfig');

@Global()
@Module({})
export class ConfigModule {
  /** Reads the process environment for an API (readWorkerConfig does for a worker). */
  static fromEnvironment(): DynamicModule {
    return ConfigModule.withConfig(parseConfig(process.env));
  }

  static withConfig(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
