import { Injectable } from '@nestjs/common';
import { TenantId } from '@bulkhead/context';
import { ProviderNotFoundError, TooManyProvidersError } from '@bulkhead/errors';
import { SecretBox } from '@bulkhead/secrets';
import {
  HealthView,
  MAX_PROVIDERS_PER_TENANT,
  ProviderCredentials,
  ProviderHealth,
  StoredProvider,
  TenantDirectory,
  providerKeyContext,
} from '@bulkhead/store';
import { ProviderBody } from './provider.schemas';

/** A provider as the admin API shows it: everything but the key (of which a hint), and its health. */
export type ProviderView = Omit<StoredProvider, 'sealedKey'> & { readonly health: HealthView };

/**
 * Tenants' LLM providers as the admin API manages them. The key is sealed before it is stored, for
 * its tenant and name; it is never logged, never returned, and only its last 4 characters are
 * shown (none of a key under 8 characters).
 */
@Injectable()
export class TenantProviders {
  constructor(
    private readonly tenants: TenantDirectory,
    private readonly providers: ProviderCredentials,
    private readonly health: ProviderHealth,
    private readonly secrets: SecretBox,
  ) {}

  async put(tenantId: TenantId, name: string, body: ProviderBody): Promise<ProviderView> {
    await this.tenants.get(tenantId);
    const { apiKey, ...settings } = body;
    const provider: StoredProvider = {
      name,
      ...settings,
      sealedKey: this.secrets.seal(apiKey, providerKeyContext(tenantId, name)),
      keyHint: apiKey.length >= 8 ? apiKey.slice(-4) : '',
      updatedAt: new Date().toISOString(),
    };
    if ((await this.providers.put(tenantId, provider)) === 'full') {
      throw new TooManyProvidersError(MAX_PROVIDERS_PER_TENANT);
    }
    const [view] = await this.viewsOf(tenantId, [provider]);
    return view ?? { ...viewOf(provider), health: { state: 'healthy' } };
  }

  async list(tenantId: TenantId): Promise<ProviderView[]> {
    await this.tenants.get(tenantId);
    return this.viewsOf(tenantId, await this.providers.list(tenantId));
  }

  private async viewsOf(
    tenantId: TenantId,
    providers: readonly StoredProvider[],
  ): Promise<ProviderView[]> {
    const health = await this.health.viewsOf(tenantId, providers);
    return providers.map((provider, i) => ({
      ...viewOf(provider),
      health: health[i] ?? { state: 'healthy' },
    }));
  }

  async delete(tenantId: TenantId, name: string): Promise<void> {
    await this.tenants.get(tenantId);
    if (!(await this.providers.delete(tenantId, name))) {
      throw new ProviderNotFoundError(tenantId, name);
    }
  }
}

function viewOf(provider: StoredProvider): Omit<ProviderView, 'health'> {
  const { name, type, baseUrl, models, priority, enabled, keyHint, updatedAt } = provider;
  return { name, type, baseUrl, models, priority, enabled, keyHint, updatedAt };
}
