export { SecretBox, UnreadableSecretError } from './secret-box';
export { SecretsModule } from './secrets.module';
