// Lint rules for the whole repository; Prettier owns layout, so only line length is checked here
// (Prettier cannot shorten strings and comments, and they must fit the same width).
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

// The architecture's boundaries (README, "How it works"): core is pure, only the adapters speak Discord or draw on a
// terminal, and the product never reaches into scripts or tests. One rule per group of files, since a later
// no-restricted-imports replaces an earlier one for the same file.
const NOT_DEV_CODE = [{ regex: '(^|/)(scripts|tests)/', message: 'Product code never imports scripts or tests.' }];
const ADAPTER_PACKAGES = [
  {
    group: ['discord.js', '@discordjs/*', 'cli-progress'],
    message: 'Only src/cli/, src/discord/ and commands/ speak Discord or draw on a terminal.',
  },
];
const CORE_PURE = [
  ...NOT_DEV_CODE,
  ...ADAPTER_PACKAGES,
  {
    group: ['node:*', 'fs', 'fs/*', 'better-sqlite3', 'hnswlib-node', '@huggingface/*', 'pino', 'lru-cache'],
    message: 'src/core/ is pure: no I/O, no models, no storage. Pass what it needs in (see its interfaces).',
  },
];
const outOfCore = (ups) => ({
  regex: `^(\\.\\./){${ups}}`,
  message: 'src/core/ imports nothing outside itself.',
});
const restrict = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

export default defineConfig(
  globalIgnores(['dist/', 'coverage/', 'data/', 'tests/.cache/', 'tests/fixtures/']),
  js.configs.recommended,
  // Type-aware rules for the TypeScript files (no-floating-promises and no-misused-promises keep a promise from being
  // dropped unnoticed: a deliberate one is written `void …`); plain JS, this file, has no types to check.
  tseslint.configs.recommendedTypeChecked,
  { languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } },
  { files: ['**/*.js'], extends: [tseslint.configs.disableTypeChecked] },
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } },
    plugins: { '@stylistic': stylistic },
    rules: {
      '@stylistic/max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true, caughtErrors: 'none' },
      ],
    },
  },
  {
    // One module, one job: a reader takes in a function whole, a module in a sitting.
    files: ['src/**/*.ts', 'commands/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 400 }], 'max-lines-per-function': ['error', { max: 80 }] },
  },
  { files: ['src/**/*.ts'], rules: restrict([...NOT_DEV_CODE, ...ADAPTER_PACKAGES]) },
  { files: ['src/cli/**/*.ts', 'src/discord/**/*.ts', 'commands/**/*.ts'], rules: restrict(NOT_DEV_CODE) },
  { files: ['src/core/*.ts'], rules: restrict([...CORE_PURE, outOfCore(1)]) },
  { files: ['src/core/*/*.ts'], rules: restrict([...CORE_PURE, outOfCore(2)]) },
  {
    files: ['tests/**'],
    rules: {
      // Tests read the JSON the commands print, whose shape is what they check.
      '@typescript-eslint/no-explicit-any': 'off',
      // vitest's asymmetric matchers (expect.any, expect.stringMatching) are typed any, to fit in any expected value.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      // A stub stands in for an async function as one, written async: a throw in it rejects, as in the real one.
      '@typescript-eslint/require-await': 'off',
      // A test's name and its fixture texts read best whole; the code around them keeps the width.
      '@stylistic/max-len': [
        'error',
        { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreStrings: true, ignoreTemplateLiterals: true },
      ],
    },
  },
);
