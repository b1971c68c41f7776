// ESLint flat config: typescript-eslint's recommended rules with type information, plus the
// layer boundaries of docs/architecture.md made mechanical (see ../shared/STYLE.md §2, §8).
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map(name => `node:${name}`)];

const vscodeOnlyInExtension = {
  paths: [
    { name: 'vscode', message: 'Only src/extension may import vscode (docs/architecture.md).' },
  ],
  patterns: [
    {
      group: ['vscode-languageclient', 'vscode-languageclient/*'],
      message: 'Only src/extension may use the language client.',
    },
  ],
};

export default tseslint.config(
  {
    ignores: ['**/dist/**', '**/node_modules/**', 'test/fixtures/**', 'bench/results/**'],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // node:test's describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'inline-type-imports' },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
      // Only the CLI owns stdout/stderr; the server's stdout is the LSP pipe.
      'no-console': 'error',
      'no-restricted-imports': ['error', vscodeOnlyInExtension],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'examples/**/*.ts', 'test/**/*.ts', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // The agent wraps the target's functions and needs both the wrapped `this` and its own.
    files: ['src/inspector/agent/**/*.ts'],
    rules: { '@typescript-eslint/no-this-alias': 'off' },
  },
  {
    files: ['src/extension/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The webview is a browser bundle: shared message types only, no Node, no VS Code API.
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...vscodeOnlyInExtension.paths,
            ...nodeBuiltins.map(name => ({ name, message: 'The webview runs in a browser.' })),
          ],
          patterns: vscodeOnlyInExtension.patterns,
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
