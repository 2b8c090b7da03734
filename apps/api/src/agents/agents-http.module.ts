import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { AgentsController } from './agents.controller';

@Module({ imports: [AuthModule], controllers: [AgentsController] })
export class AgentsHttpModule {}
