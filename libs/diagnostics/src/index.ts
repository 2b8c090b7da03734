export {
  DiagnosticsChannel,
  ExtraStats,
  PROCESS_EXTRA_STATS,
  ProcessStats,
} from './diagnostics-channel';
export { DiagnosticsModule } from './diagnostics.module';
