import { DynamicModule, Module, ModuleMetadata, Provider } from '@nestjs/common';
import { DiagnosticsChannel } from './diagnostics-channel';

@Module({})
export class DiagnosticsModule {
  /**
   * `extraStats` provides PROCESS_EXTRA_STATS, the app's own counts (sockets, rooms …); `imports`
   * are the modules it needs.
   */
  static with(extraStats: Provider, imports: ModuleMetadata['imports'] = []): DynamicModule {
    return { module: DiagnosticsModule, imports, providers: [extraStats, DiagnosticsChannel] };
  }
}
