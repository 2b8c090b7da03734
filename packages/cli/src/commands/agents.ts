import type { Command } from 'commander';
import { withTenantClient } from '../clients.js';
import { ExitCode } from '../exit-codes.js';
import type { CommandContext, Session } from '../session.js';
import { agentTable } from '../views/agents.js';

/** `bulkhead agents`: what a tenant can submit, and the fields each agent's input takes. */
export function registerAgentCommands(program: Command, session: Session): void {
  program
    .command('agents')
    .description('list the agents runs can be submitted to')
    .action((_flags: object, command: Command) => session.run(command, listAgents));
}

async function listAgents({ config, out }: CommandContext): Promise<ExitCode> {
  const agents = await withTenantClient(config, (client) => client.agents.list());
  out.result(agents, agentTable);
  return ExitCode.ok;
}
