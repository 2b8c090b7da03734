// Type-aware lint for every TypeScript file: apps, libs, packages, tests, bench and scripts
// (style guide, section 14). `npm run lint` runs Prettier's check, then this with --max-warnings 0;
// every rule here is an error or off, since under --max-warnings 0 a warning fails just the same.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const LIBS = readdirSync(join(import.meta.dirname, 'libs'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/**
 * Cross-lib imports go through the alias and the lib's index.ts, never into another lib's files
 * (style guide, section 2). Relative imports inside one folder tree stay allowed; what is refused is
 * a relative path that climbs into libs/ from outside, or from one lib into another's src/.
 * no-restricted-imports options do not merge between config objects, so each lib gets the whole set.
 */
function restrictedImports(ownLib) {
  const patterns = [
    {
      // The worker SDK's testing entry is a published subpath, not a lib's file.
      group: ['@bulkhead/*/**', '!@bulkhead/worker/testing'],
      message: "Import a lib through its alias and index.ts ('@bulkhead/store'), not its files.",
    },
    {
      regex: '^(\\.\\./)+(.*/)?libs(/|$)',
      message:
        "Import a lib through its alias ('@bulkhead/store'), not a relative path into libs/.",
    },
  ];
  if (ownLib !== undefined) {
    const others = LIBS.filter((lib) => lib !== ownLib).join('|');
    patterns.push({
      regex: `^(\\.\\./)+(${others})/src(/|$)`,
      message: "Import another lib through its alias ('@bulkhead/store'), not a relative path.",
    });
  }
  return ['error', { patterns }];
}

/** The few globals the plain JavaScript files use (the `globals` package is not a dependency). */
const NODE_GLOBALS = { console: 'readonly', fetch: 'readonly', process: 'readonly' };

export default defineConfig(
  {
    // test/contract is outside the root tsconfig: openapi.e2e-spec.ts compiles it on its own, against
    // types it first generates into dist/contract from a running API, which a lint run does not have.
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'bench/results/**',
      'coverage/**',
      'test/contract/**',
    ],
  },
  {
    files: ['**/*.ts'],
    // The recommended type-checked set on top of ESLint's recommended: on this codebase it reports
    // little beyond the rules the style guide names, and what it adds (no-base-to-string,
    // only-throw-error, no-unnecessary-type-assertion, ...) catches real mistakes.
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        // Each file gets the tsconfig that compiles it: packages/client and packages/cli their own
        // (nodenext), everything else, the packages' specs included, the root tsconfig.json.
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // `void promise` passes this rule (ignoreVoid, the default). The style guide's "void is not
      // handling" is kept in review: a `void` needs a comment saying why the promise cannot reject.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // Outcomes are values switched on exhaustively (style guide, section 17): a `default` does not
      // stand in for a union's missing members (considerDefaultExhaustiveForUnions stays false), so a
      // new member shows up at every switch over it. A default after every member is still allowed.
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      'require-await': 'off',
      '@typescript-eslint/require-await': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // The no-unsafe-* rules are what make tests read supertest's `any` bodies through a type
      // (test/support/answers.ts). @types/jest types the asymmetric matchers `any` too, which
      // no-unsafe-assignment reports inside an expected object: write `expect.any(String) as unknown`.
      '@typescript-eslint/no-unsafe-assignment': 'error',
      '@typescript-eslint/no-unsafe-member-access': 'error',
      '@typescript-eslint/no-unsafe-argument': 'error',
      '@typescript-eslint/no-unsafe-call': 'error',
      '@typescript-eslint/no-unsafe-return': 'error',
      // Rejecting with the failure as it came (a socket's error, an AbortSignal's reason) is
      // propagation, not a bad rejection; only-throw-error allows the same for `throw` by default.
      '@typescript-eslint/prefer-promise-reject-errors': [
        'error',
        { allowThrowingAny: true, allowThrowingUnknown: true },
      ],
      curly: ['error', 'all'],
      eqeqeq: ['error', 'always'],
      'no-restricted-imports': restrictedImports(undefined),
      // Prettier owns layout and ends every statement with a semicolon, so the ASI hazard this rule
      // guards against cannot occur; it only misfires on Prettier's own `request(url)\n[method](path)`.
      'no-unexpected-multiline': 'off',
    },
  },
  ...LIBS.map((lib) => ({
    files: [`libs/${lib}/**/*.ts`],
    rules: { 'no-restricted-imports': restrictedImports(lib) },
  })),
  {
    // node:test's describe and it return promises that the runner itself awaits.
    files: ['examples/**/test/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
  {
    // libs/config is the only reader of process.env (style guide, section 10), and the CLI's own
    // config.ts is the one place the CLI reads its environment. Tests, test/support, bench and
    // scripts start processes and choose their environment, so they may read it.
    files: ['apps/**/*.ts', 'libs/**/*.ts', 'packages/**/*.ts'],
    ignores: ['libs/config/**', 'packages/cli/src/config.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message:
            'process.env has one reader: libs/config (AppConfig) for apps and libs, and packages/cli/src/config.ts for the CLI.',
        },
      ],
    },
  },
  {
    // The few plain JavaScript files (jest.config.js, examples/, the CLI's bin/, this file) are not
    // type-checked: ESLint's recommended rules plus curly and eqeqeq. `.js` is CommonJS here, except
    // in the ESM CLI's bin/.
    files: ['**/*.{js,cjs,mjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: NODE_GLOBALS },
    rules: { curly: ['error', 'all'], eqeqeq: ['error', 'always'] },
  },
  {
    files: ['**/*.js'],
    ignores: ['packages/cli/bin/**'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable' },
    },
  },
);
