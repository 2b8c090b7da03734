/**
 * Unit specs sit beside the code; e2e specs drive built processes against real Redis; the memory
 * project drives thousands of runs and reads the processes' heaps over IPC.
 */
const transform = { '^.+\\.(t|j|mj)s$': ['@swc/jest'] };
// Every @nestjs/* 12 package ships as ESM only, which Jest 30 on Node 20 cannot load untransformed.
const transformIgnorePatterns = ['/node_modules/(?!@nestjs/)'];
// The published packages import their own files with ESM's `.js` suffix; Jest runs their sources.
const moduleNameMapper = {
  '^@bulkhead/client$': '<rootDir>/packages/client/src',
  '^@bulkhead/worker$': '<rootDir>/packages/worker/src',
  '^@bulkhead/worker/testing$': '<rootDir>/packages/worker/src/testing',
  '^@bulkhead/(.*)$': '<rootDir>/libs/$1/src',
  '^(\\.{1,2}/.*)\\.js$': '$1',
};
const common = { transform, transformIgnorePatterns, moduleNameMapper, testEnvironment: 'node' };
const processes = {
  // Suites drive real processes with many sequential calls; on a shared 2-core machine a slow moment
  // is not a failure. Each waits on conditions with its own deadlines, not on this timeout.
  // A project-level testTimeout is not applied by Jest 30, so the project sets it in a setup file.
  setupFilesAfterEnv: ['<rootDir>/test/support/process-suite-timeout.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/scripts', '<rootDir>/packages'],
      modulePathIgnorePatterns: ['<rootDir>/packages/.*/dist/'],
      testMatch: ['**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      roots: ['<rootDir>/test/e2e'],
      testMatch: ['**/*.e2e-spec.ts'],
      ...processes,
    },
    {
      ...common,
      displayName: 'memory',
      roots: ['<rootDir>/test/memory'],
      testMatch: ['**/*.memory-spec.ts'],
      ...processes,
    },
    {
      ...common,
      // In process against the real Redis: the run scripts, their races and the subscription loop.
      displayName: 'medium',
      roots: ['<rootDir>/test/medium'],
      testMatch: ['**/*.medium-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/medium/support/medium-suite-timeout.ts'],
      globalSetup: '<rootDir>/test/medium/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
