import { Controller, Get } from '@nestjs/common';

/** What LangGraph clients probe before anything else: no key needed, nothing about any tenant. */
@Controller('lg')
export class AgentProtocolController {
  @Get('ok')
  ok(): { ok: true } {
    return { ok: true };
  }
}
