import { StartupError } from '@bulkhead/config';
import { resolve } from 'node:path';
import { AgentDefinition } from './agent';

/**
 * The agents a module exports: `agents` (an array of definitions), or a default export that is such
 * an array or has one as `agents`. CommonJS and ES modules without top-level await both load (Node
 * 20.19+ requires ES modules). Throws a message that says what the module must export.
 */
export function agentsOfModule(path: string): readonly AgentDefinition[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the module is named at run time
  const loaded = require(resolvedModule(path)) as Record<string, unknown> | undefined;
  const agents = exportedAgents(loaded);
  if (!Array.isArray(agents)) {
    throw new StartupError(
      `${path} exports no agents: export const agents = [defineAgent(...)] (or export default them).`,
    );
  }
  return agents as readonly AgentDefinition[];
}

function resolvedModule(path: string): string {
  try {
    return require.resolve(resolve(process.cwd(), path));
  } catch {
    throw new StartupError(`${path}: no such module (from ${process.cwd()}); is it built?`);
  }
}

function exportedAgents(loaded: Record<string, unknown> | undefined): unknown {
  if (Array.isArray(loaded?.agents)) {
    return loaded.agents;
  }
  const fallback = loaded?.default;
  if (Array.isArray(fallback)) {
    return fallback;
  }
  return (fallback as Record<string, unknown> | undefined)?.agents;
}
