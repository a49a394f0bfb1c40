// ESLint flat config: typescript-eslint's recommended rules for TS, eslint-plugin-vue's for .vue files.
// Correctness rules only; formatting is not linted.
import js from '@eslint/js';
import globals from 'globals';
import vue from 'eslint-plugin-vue';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'runs/**', 'tmp/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...vue.configs['flat/essential'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' } },
  },
  {
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node, ...globals.browser },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-empty-function': 'off',
      '@typescript-eslint/no-this-alias': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-empty': ['error', { allowEmptyCatch: true }],
      'vue/multi-word-component-names': 'off',
    },
  },
  {
    // Tests: a stray `.only` would silently skip the rest of a file, and every property runs through
    // test/fuzz.ts (a fixed seed and a fresh one, replayable by FC_SEED) rather than one seed forever.
    files: ['test/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name=/^(it|test|describe|suite|bench)$/][property.name='only']",
          message: '.only skips every other test of the file: remove it before committing',
        },
        {
          selector: "MemberExpression[object.type='MemberExpression'][object.object.name=/^(it|test|describe)$/][property.name='only']",
          message: '.only skips every other test of the file: remove it before committing',
        },
        {
          selector: "CallExpression[callee.object.name='fc'][callee.property.name=/^(assert|check)$/]",
          message: 'run properties through fuzz()/fuzzAsync() of test/fuzz.ts (fixed and fresh seeds, FC_SEED replays)',
        },
      ],
    },
  },
  {
    // The library logs through src/core/log.ts (a namespace per part, quiet by default); only the CLI
    // (its output is the point) and the logger's own console sink write to the console.
    files: ['src/**/*.ts', 'main/**/*.ts'],
    ignores: ['src/cli/**', 'src/core/log.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['test/fuzz.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // The preload is CommonJS by necessity (sandboxed preloads cannot be ESM).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
