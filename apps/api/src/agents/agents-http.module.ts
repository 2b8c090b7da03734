import { Module } from '@nestjs/common';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { AgentsController } from './agents.controller';

@Module({ controllers: [AgentsController], providers: [ApiKeyGuard] })
export class AgentsHttpModule {}
