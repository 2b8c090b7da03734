import { Injectable } from '@nestjs/common';
import { TenantId } from '@bulkhead/context';
import { ProviderNotFoundError, TooManyProvidersError } from '@bulkhead/errors';
import { SecretBox } from '@bulkhead/secrets';
import {
  MAX_PROVIDERS_PER_TENANT,
  ProviderCredentials,
  StoredProvider,
  TenantDirectory,
} from '@bulkhead/store';
import { ProviderBody } from './provider.schemas';

/** A provider as the admin API shows it: everything but the key, of which only a hint. */
export type ProviderView = Omit<StoredProvider, 'sealedKey'>;

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
    private readonly secrets: SecretBox,
  ) {}

  async put(tenantId: TenantId, name: string, body: ProviderBody): Promise<ProviderView> {
    await this.tenants.get(tenantId);
    const { apiKey, ...settings } = body;
    const provider: StoredProvider = {
      name,
      ...settings,
      sealedKey: this.secrets.seal(apiKey, sealingContext(tenantId, name)),
      keyHint: apiKey.length >= 8 ? apiKey.slice(-4) : '',
      updatedAt: new Date().toISOString(),
    };
    if ((await this.providers.put(tenantId, provider)) === 'full') {
      throw new TooManyProvidersError(MAX_PROVIDERS_PER_TENANT);
    }
    return viewOf(provider);
  }

  async list(tenantId: TenantId): Promise<ProviderView[]> {
    await this.tenants.get(tenantId);
    return (await this.providers.list(tenantId)).map(viewOf);
  }

  async delete(tenantId: TenantId, name: string): Promise<void> {
    await this.tenants.get(tenantId);
    if (!(await this.providers.delete(tenantId, name))) {
      throw new ProviderNotFoundError(tenantId, name);
    }
  }
}

/** What a provider's key is sealed for: opened anywhere else, it fails. */
export function sealingContext(tenantId: TenantId, name: string): string {
  return `${tenantId}/${name}`;
}

function viewOf(provider: StoredProvider): ProviderView {
  const { name, type, baseUrl, models, priority, enabled, keyHint, updatedAt } = provider;
  return { name, type, baseUrl, models, priority, enabled, keyHint, updatedAt };
}
