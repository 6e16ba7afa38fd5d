// Lint rules for the whole repository; Prettier owns layout, so only line length is checked here
// (Prettier cannot shorten strings and comments, and they must fit the same width).
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['dist/', 'coverage/', 'data/', 'tests/.cache/', 'tests/fixtures/']),
  js.configs.recommended,
  tseslint.configs.recommended,
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
    files: ['tests/**'],
    rules: {
      // Tests read the JSON the commands print, whose shape is what they check.
      '@typescript-eslint/no-explicit-any': 'off',
      // A test's name and its fixture texts read best whole; the code around them keeps the width.
      '@stylistic/max-len': [
        'error',
        { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true, ignoreStrings: true, ignoreTemplateLiterals: true },
      ],
    },
  },
);
