// Each spec waits on conditions with its own deadlines; this only bounds a hung one on a shared
// 2-core machine. A project-level testTimeout is not applied by Jest 30, hence a setup file.
jest.setTimeout(20_000);
