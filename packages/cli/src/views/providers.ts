import type { Provider } from '@bulkhead/client';
import { listTable } from './table.js';

/** Providers as calls try them; the key only as its hint, as the API shows it. */
export function providerTable(providers: Provider[]): string {
  return listTable(
    ['name', 'type', 'base url', 'models', 'priority', 'enabled', 'key', 'health'],
    providers.map((provider) => [
      provider.name,
      provider.type,
      provider.baseUrl,
      provider.models.join(', ') || 'any',
      provider.priority,
      provider.enabled ? 'yes' : 'no',
      provider.keyHint === '' ? '(short)' : `…${provider.keyHint}`,
      healthOf(provider.health),
    ]),
  );
}

function healthOf({ state, until }: Provider['health']): string {
  return until === undefined ? state : `${state} until ${until}`;
}
