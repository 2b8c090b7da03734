import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig, parseConfig, parseWorkerConfig } from './app-config';

export const APP_CONFIG = Symbol('AppConfig');

@Global()
@Module({})
export class ConfigModule {
  /** Reads the process environment for an API: with the worker's, the only places that do. */
  static fromEnvironment(): DynamicModule {
    return ConfigModule.withConfig(parseConfig(process.env));
  }

  /** Reads the process environment for a worker, which needs no admin token. */
  static fromWorkerEnvironment(): DynamicModule {
    return ConfigModule.withConfig(parseWorkerConfig(process.env));
  }

  static withConfig(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
