import { StartupError } from '@bulkhead/config';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentsOfModule } from './worker-module-loader';

describe('the module bulkhead-worker loads', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-worker-modules-'));
  const moduleWith = (name: string, source: string) => {
    const path = join(dir, `${name}.js`);
    writeFileSync(path, source);
    return path;
  };
  const agent = '{ name: "a", run: async () => 1 }';

  it.each([
    ['an agents export', `module.exports = { agents: [${agent}] };`],
    ['a default export of the array', `module.exports = { default: [${agent}] };`],
    ['a default export with agents', `module.exports = { default: { agents: [${agent}] } };`],
  ])('should find the agents in %s', (name, source) => {
    expect(agentsOfModule(moduleWith(name.replace(/ /g, '-'), source))).toHaveLength(1);
  });

  it('should say what to export when the module exports no agents', () => {
    const act = () => agentsOfModule(moduleWith('nothing', 'module.exports = { other: 1 };'));

    expect(act).toThrow(StartupError);
    expect(act).toThrow(/export const agents = \[defineAgent/);
  });

  it('should name a module that does not exist, without a stack to read', () => {
    expect(() => agentsOfModule(join(dir, 'missing.js'))).toThrow(StartupError);
  });
});
