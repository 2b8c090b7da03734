export { ExecutionRegistry, Disposer, Release, RegistryDisposedError } from './execution-registry';
export { ExecutionScopes } from './execution-scopes';
export { RegistryMonitor, RegistryCounts } from './registry-monitor';
export { RegistryModule } from './registry.module';
