// Lint rules for the TypeScript sources and tests (`npm run lint`, part of `npm test`), and the
// import directions between the rooms of src/ (docs/architecture.md). Formatting is Prettier's.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** A relative import reaching the named top-level room(s) of src/, from anywhere below src/. */
const room = (...names) => ({
  regex: `^(\\.\\./)+(${names.join('|')})(/|$)`,
  message: 'Imports run vscode → debug → runtime and cli → runtime, never back (docs/architecture.md).',
});
const noVscode = { name: 'vscode', message: 'Only src/vscode/ may import vscode: the runtime, debugger and CLI run outside the editor.' };

/** What plain Node scripts (scripts/*.mjs) may use without importing it. */
const nodeGlobals = Object.fromEntries(
  [
    'AbortController',
    'Buffer',
    'URL',
    'URLSearchParams',
    'TextDecoder',
    'TextEncoder',
    'clearInterval',
    'clearTimeout',
    'console',
    'fetch',
    'process',
    'queueMicrotask',
    'setImmediate',
    'setInterval',
    'setTimeout',
    'structuredClone',
  ].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  // Fixtures and examples are projects users (and tests) run as they are, not our sources.
  { ignores: ['out/', 'node_modules/', '.vscode-test/', 'test-results/', 'examples/', 'test/**/fixtures/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: nodeGlobals },
    rules: {
      // `_`-prefixed parameters and rest siblings say "deliberately unused".
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true, caughtErrors: 'none' },
      ],
      // Empty catches mark failures that are expected and harmless; each says why in a comment.
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Test helpers and bootstraps load modules on demand with require().
      '@typescript-eslint/no-require-imports': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'prefer-const': 'error',
      // Errors rethrown with a user-facing message quote their cause in that message.
      'preserve-caught-error': 'off',
      // Stack traces and log lines are matched as they look, indentation included.
      'no-regex-spaces': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    // TypeScript reports undefined names itself, knowing the types' globals.
    rules: { 'no-undef': 'off' },
  },
  {
    files: ['src/debug/cdp/cdpProtocol.ts'],
    // The protocol's types are grouped by domain (Debugger.Location), as CDP's own typings are.
    rules: { '@typescript-eslint/no-namespace': 'off' },
  },
  {
    files: ['src/runtime/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode], patterns: [room('debug', 'cli', 'vscode', 'language')] }] },
  },
  {
    files: ['src/debug/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode], patterns: [room('cli', 'vscode', 'language')] }] },
  },
  {
    files: ['src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode], patterns: [room('debug', 'vscode', 'language')] }] },
  },
  {
    files: ['src/language/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode], patterns: [room('debug', 'cli', 'vscode')] }] },
  },
  {
    files: ['src/vscode/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [room('cli', 'language')] }] },
  },
);
