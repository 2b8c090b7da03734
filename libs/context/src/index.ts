export * from './tenant-scope';
export { TenantContext } from './tenant-context';
export { ContextModule } from './context.module';
export {
  JobContext,
  jobContextSchema,
  toJobContext,
  scopeFromJob,
  InvalidJobContextError,
} from './job-context';
