import { Body, Controller, Delete, Get, HttpCode, Param, Put, UseGuards } from '@nestjs/common';
import { TenantId } from '@bulkhead/context';
import { AdminGuard } from '../auth/admin.guard';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import {
  ProviderBody,
  providerBodySchema,
  providerParamsSchema,
  tenantProvidersParamsSchema,
} from './provider.schemas';
import { ProviderView, TenantProviders } from './tenant-providers.service';

type ProviderParams = { id: string; name: string };

/** A tenant's LLM providers and their keys (admin token): set, list, remove. */
@Controller('v1/admin/tenants/:id/providers')
@UseGuards(AdminGuard)
export class ProvidersController {
  constructor(private readonly providers: TenantProviders) {}

  /** Creates or replaces the provider, key included: a PUT is the whole provider. */
  @Put(':name')
  @HttpCode(200)
  put(
    @Param(new ZodValidationPipe(providerParamsSchema, 'params')) params: ProviderParams,
    @Body(new ZodValidationPipe(providerBodySchema)) body: ProviderBody,
  ): Promise<ProviderView> {
    return this.providers.put(params.id as TenantId, params.name, body);
  }

  @Get()
  list(
    @Param(new ZodValidationPipe(tenantProvidersParamsSchema, 'params')) params: { id: string },
  ): Promise<ProviderView[]> {
    return this.providers.list(params.id as TenantId);
  }

  @Delete(':name')
  @HttpCode(204)
  async delete(
    @Param(new ZodValidationPipe(providerParamsSchema, 'params')) params: ProviderParams,
  ): Promise<void> {
    await this.providers.delete(params.id as TenantId, params.name);
  }
}
