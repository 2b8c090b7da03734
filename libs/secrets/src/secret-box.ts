import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@bulkhead/config';
import { SecretsUnconfiguredError } from '@bulkhead/errors';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

/** A sealed value that cannot be opened: its key is not configured, or it was altered or moved. */
export class UnreadableSecretError extends Error {}

/**
 * Seals secrets at rest with AES-256-GCM under BULKHEAD_SECRETS_KEY:
 * `v1.<key id>.<iv>.<tag>.<ciphertext>` (base64url). The key id (8 hex digits of a hash of the
 * master key) says which master key opens it, so the key can be rotated: former keys in
 * BULKHEAD_SECRETS_PREVIOUS_KEYS still open what they sealed. Each value is sealed for a context
 * (its tenant and name) bound as associated data, so a sealed value copied to another record does
 * not open there. Keys are read once, at boot; nothing else is kept.
 */
@Injectable()
export class SecretBox {
  private readonly current: MasterKey | undefined;
  private readonly byId: ReadonlyMap<string, MasterKey>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.current =
      config.BULKHEAD_SECRETS_KEY === undefined
        ? undefined
        : masterKey(config.BULKHEAD_SECRETS_KEY);
    const previous = config.BULKHEAD_SECRETS_PREVIOUS_KEYS.map(masterKey);
    this.byId = new Map(
      [...previous, ...(this.current ? [this.current] : [])].map((key) => [key.id, key]),
    );
  }

  /** The id of the key new values are sealed with; undefined while none is configured. */
  get currentKeyId(): string | undefined {
    return this.current?.id;
  }

  seal(plaintext: string, context: string): string {
    if (!this.current) {
      throw new SecretsUnconfiguredError();
    }
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(Buffer.from(context));
    const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.current.id, iv, cipher.getAuthTag(), sealed]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  /** The plaintext, or UnreadableSecretError (never the value itself) when it cannot be opened. */
  open(sealed: string, context: string): string {
    const [version, keyId, iv, tag, ciphertext, ...rest] = sealed.split('.');
    const master = keyId === undefined ? undefined : this.byId.get(keyId);
    if (
      version !== VERSION ||
      rest.length > 0 ||
      !master ||
      !iv ||
      !tag ||
      ciphertext === undefined
    ) {
      throw new UnreadableSecretError(
        `A secret sealed with key ${keyId ?? '?'} cannot be opened here.`,
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', master.key, Buffer.from(iv, 'base64url'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ]).toString('utf8');
    } catch {
      throw new UnreadableSecretError(
        `A secret sealed with key ${keyId} failed its integrity check.`,
      );
    }
  }

  /** Which master key sealed the value (to find what a rotation must re-seal). */
  keyIdOf(sealed: string): string | undefined {
    return sealed.split('.')[1];
  }
}

function masterKey(base64: string): MasterKey {
  const key = Buffer.from(base64, 'base64');
  const id = createHash('sha256').update('bulkhead-secrets-key-id:').update(key).digest('hex');
  return { id: id.slice(0, 8), key };
}
