import { AppConfig, parseWorkerConfig } from '@bulkhead/config';
import { SecretsUnconfiguredError } from '@bulkhead/errors';
import { randomBytes } from 'node:crypto';
import { SecretBox, UnreadableSecretError } from './secret-box';

const newKey = () => randomBytes(32).toString('base64');

function boxWith(current: string | undefined, previous: string[] = []): SecretBox {
  const config: AppConfig = parseWorkerConfig({
    ...(current === undefined ? {} : { BULKHEAD_SECRETS_KEY: current }),
    BULKHEAD_SECRETS_PREVIOUS_KEYS: previous.join(','),
  });
  return new SecretBox(config);
}

describe(`${SecretBox.name}: provider keys sealed at rest`, () => {
  const key = newKey();
  const sut = boxWith(key);

  it('should open what it sealed, for the same context', () => {
    const sealed = sut.seal('sk-live-1234', 'acme/openai');

    expect(sealed).not.toContain('sk-live-1234');
    expect(sut.open(sealed, 'acme/openai')).toBe('sk-live-1234');
  });

  it('should seal the same secret differently each time', () => {
    expect(sut.seal('sk-live-1234', 'acme/openai')).not.toBe(
      sut.seal('sk-live-1234', 'acme/openai'),
    );
  });

  it("should not open a value copied to another tenant's or provider's record", () => {
    const sealed = sut.seal('sk-live-1234', 'acme/openai');

    expect(() => sut.open(sealed, 'globex/openai')).toThrow(UnreadableSecretError);
    expect(() => sut.open(sealed, 'acme/backup')).toThrow(UnreadableSecretError);
  });

  it('should not open an altered value, and say so without its contents', () => {
    const sealed = sut.seal('sk-live-1234', 'acme/openai');
    const [version, keyId, iv, tag, ciphertext] = sealed.split('.');
    const flipped = Buffer.from(ciphertext ?? '', 'base64url');
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    const altered = [version, keyId, iv, tag, flipped.toString('base64url')].join('.');

    expect(() => sut.open(altered, 'acme/openai')).toThrow(UnreadableSecretError);
    expect(() => sut.open('garbage', 'acme/openai')).toThrow(UnreadableSecretError);
  });

  it('should open values sealed with a former key, and seal new ones with the current key', () => {
    const rotated = boxWith(newKey(), [key]);
    const old = sut.seal('sk-live-1234', 'acme/openai');

    const resealed = rotated.seal(rotated.open(old, 'acme/openai'), 'acme/openai');

    expect(rotated.keyIdOf(old)).toBe(sut.currentKeyId);
    expect(rotated.keyIdOf(resealed)).toBe(rotated.currentKeyId);
    expect(rotated.currentKeyId).not.toBe(sut.currentKeyId);
    expect(() => boxWith(newKey()).open(old, 'acme/openai')).toThrow(UnreadableSecretError);
  });

  it('should refuse to seal while no master key is configured', () => {
    expect(() => boxWith(undefined).seal('sk', 'acme/openai')).toThrow(SecretsUnconfiguredError);
  });

  it('should refuse at start a master key that is not 32 bytes of base64', () => {
    expect(() => boxWith('too-short')).toThrow(/BULKHEAD_SECRETS_KEY: 32 random bytes in base64/);
    expect(() => boxWith(key, ['nope'])).toThrow(/BULKHEAD_SECRETS_PREVIOUS_KEYS/);
  });
});
