import { Body, Controller, Delete, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { TenantId } from '@bulkhead/context';
import { ApiKeys, IssuedKey, Tenant, TenantDirectory } from '@bulkhead/store';
import { AdminGuard } from '../auth/admin.guard';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { EventSockets } from '../run-events/event-sockets';
import {
  CreateTenant,
  createTenantSchema,
  keyParamsSchema,
  tenantParamsSchema,
} from './tenant.schemas';

@Controller('v1/admin/tenants')
@UseGuards(AdminGuard)
export class TenantsController {
  constructor(
    private readonly tenants: TenantDirectory,
    private readonly apiKeys: ApiKeys,
    private readonly sockets: EventSockets,
  ) {}

  @Post()
  @HttpCode(201)
  create(@Body(new ZodValidationPipe(createTenantSchema)) body: CreateTenant): Promise<Tenant> {
    return this.tenants.create(body.id as TenantId, body.name, body.limits);
  }

  @Get(':id')
  get(
    @Param(new ZodValidationPipe(tenantParamsSchema, 'params')) params: { id: string },
  ): Promise<Tenant> {
    return this.tenants.get(params.id as TenantId);
  }

  @Post(':id/keys')
  @HttpCode(201)
  async issueKey(
    @Param(new ZodValidationPipe(tenantParamsSchema, 'params')) params: { id: string },
  ): Promise<IssuedKey> {
    const tenant = await this.tenants.get(params.id as TenantId);
    return this.apiKeys.issue(tenant.id);
  }

  /** The key stops working for HTTP at once, and its sockets are dropped on every API process. */
  @Delete(':id/keys/:keyId')
  @HttpCode(204)
  async revokeKey(
    @Param(new ZodValidationPipe(keyParamsSchema, 'params')) params: { id: string; keyId: string },
  ): Promise<void> {
    const tenantId = params.id as TenantId;
    await this.apiKeys.revoke(tenantId, params.keyId);
    this.sockets.disconnectKey(tenantId, params.keyId);
  }
}
