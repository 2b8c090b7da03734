import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  UseGuards,
} from '@nestjs/common';
import { TenantId } from '@bulkhead/context';
import { ApiKeys, IssuedKey, TenantDirectory } from '@bulkhead/store';
import { AdminGuard } from '../auth/admin.guard';
import { KeyOwners } from '../auth/key-owners';
import { ZodValidationPipe } from '../http/zod-validation.pipe';
import { EventSockets } from '../run-events/event-sockets';
import {
  CreateTenant,
  LimitsPatch,
  TenantPatch,
  createTenantSchema,
  keyParamsSchema,
  limitsPatchSchema,
  tenantPatchSchema,
  tenantParamsSchema,
} from './tenant.schemas';
import { TenantAccounts, TenantView } from './tenant-accounts.service';

@Controller('v1/admin/tenants')
@UseGuards(AdminGuard)
export class TenantsController {
  constructor(
    private readonly tenants: TenantDirectory,
    private readonly accounts: TenantAccounts,
    private readonly apiKeys: ApiKeys,
    private readonly sockets: EventSockets,
    private readonly owners: KeyOwners,
  ) {}

  @Post()
  @HttpCode(201)
  create(@Body(new ZodValidationPipe(createTenantSchema)) body: CreateTenant): Promise<TenantView> {
    return this.accounts.create(body.id as TenantId, body.name, body.limits ?? {});
  }

  @Get(':id')
  get(
    @Param(new ZodValidationPipe(tenantParamsSchema, 'params')) params: { id: string },
  ): Promise<TenantView> {
    return this.accounts.view(params.id as TenantId);
  }

  /** Only what the body names changes; `agents` is the whole new list, or null for every agent. */
  @Patch(':id')
  async update(
    @Param(new ZodValidationPipe(tenantParamsSchema, 'params')) params: { id: string },
    @Body(new ZodValidationPipe(tenantPatchSchema)) body: TenantPatch,
  ): Promise<TenantView> {
    const tenantId = params.id as TenantId;
    if (body.agents === undefined) {
      return this.accounts.view(tenantId);
    }
    return this.accounts.updateAgents(tenantId, body.agents);
  }

  @Patch(':id/limits')
  updateLimits(
    @Param(new ZodValidationPipe(tenantParamsSchema, 'params')) params: { id: string },
    @Body(new ZodValidationPipe(limitsPatchSchema)) body: LimitsPatch,
  ): Promise<TenantView> {
    return this.accounts.updateLimits(params.id as TenantId, body);
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
    this.owners.forget(tenantId, params.keyId);
    this.sockets.disconnectKey(tenantId, params.keyId);
  }
}
