import { Module } from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard';
import { KeyOwners } from './key-owners';

/** Who a request or socket belongs to: the key owners cache and the tenant-key guard. */
@Module({ providers: [KeyOwners, ApiKeyGuard], exports: [KeyOwners, ApiKeyGuard] })
export class AuthModule {}
