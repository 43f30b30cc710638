// ESLint flat config: typescript-eslint's type-checked rules for the TypeScript, the recommended
// rules with browser globals for the pages' scripts (they are served as they are, no build step).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'test/artifacts/', 'coverage/'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Promises handed to event emitters are deliberate fire-and-forget: `void` marks each one.
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }],
      // `{} as Input` is how XState's setup() carries types, and `name as string` widens on purpose:
      // this rule's autofix would change inferred types, so it stays off.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // A `let` assigned once after a closure that reads it is deliberate (timers set up after their handler).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Sanitisers match control characters on purpose (untrusted text is stripped of them).
      'no-control-regex': 'off',
      // An async method that does not await still promises its callers a Promise: that is its contract.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
    },
  },
  {
    // Tests and benchmarks read untyped JSON from HTTP responses and sockets all the time; the strict
    // unsafe-* rules stay on for the product code in machines/ and src/.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['overlay/**/*.js', 'src/**/page/**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser } },
    rules: { 'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none' }] },
  },
  {
    files: ['**/*.mjs', 'eslint.config.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
  },
);
