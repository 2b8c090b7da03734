import { DEFAULT_URL, requireAdminToken, requireApiKey, resolveConfig } from './config.js';
import { UsageError } from './usage-error.js';

describe(resolveConfig.name, () => {
  const env = {
    BULKHEAD_URL: 'http://env.example:3000',
    BULKHEAD_API_KEY: 'bk_env_key',
    BULKHEAD_ADMIN_TOKEN: 'env-admin-token',
    BULKHEAD_PROVIDER_API_KEY: 'sk-env-provider-key',
  };

  it('should let each flag win over its environment variable', () => {
    const sut = resolveConfig(
      { url: 'http://flag.example:3000', key: 'bk_flag_key', adminToken: 'flag-token' },
      env,
    );

    expect(sut).toEqual({
      baseUrl: 'http://flag.example:3000',
      apiKey: 'bk_flag_key',
      adminToken: 'flag-token',
      providerApiKey: 'sk-env-provider-key',
      json: false,
    });
  });

  it('should read the environment when no flag is given', () => {
    const sut = resolveConfig({}, env);

    expect(sut).toMatchObject({ baseUrl: env.BULKHEAD_URL, apiKey: env.BULKHEAD_API_KEY });
  });

  it('should default the URL and treat empty variables as unset', () => {
    const sut = resolveConfig({}, { BULKHEAD_URL: '', BULKHEAD_API_KEY: '' });

    expect(sut.baseUrl).toBe(DEFAULT_URL);
    expect(sut.apiKey).toBeUndefined();
  });

  it('should refuse a URL that does not parse', () => {
    expect(() => resolveConfig({ url: 'not a url' }, {})).toThrow(UsageError);
  });
});

describe(requireApiKey.name, () => {
  it('should name the flag and the variable when the key is missing', () => {
    const sut = resolveConfig({}, {});

    expect(() => requireApiKey(sut)).toThrow(/--key .*BULKHEAD_API_KEY/);
  });
});

describe(requireAdminToken.name, () => {
  it('should name the flag and the variable when the token is missing', () => {
    const sut = resolveConfig({}, {});

    expect(() => requireAdminToken(sut)).toThrow(/--admin-token .*BULKHEAD_ADMIN_TOKEN/);
  });
});
