// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', '.data/', 'coverage/', 'console/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Handlers hand domain errors to the middy error handler; throwing non-Error values is a bug.
      '@typescript-eslint/only-throw-error': 'error',
    },
  },
  // The layers (docs/architecture.md): arrows point down. functions → compose → domain ← adapters;
  // http and routes serve handlers. Each block lists what its files may NOT import; test/unit/
  // architecture.test.ts checks that every source file falls under one of these blocks.
  {
    files: ['shared/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@aws-sdk/*', 'aws-lambda', '@middy/*', '@aws-lambda-powertools/*'], message: 'The domain knows nothing of AWS or Lambda: declare a port beside the service and implement it in shared/adapters.' },
          { group: ['**/adapters/**', '#shared/adapters/*'], message: 'The domain takes ports; adapters implement them (shared/compose wires them).' },
          { group: ['**/http/**', '#shared/http/*', '**/routes/**', '#shared/routes/*', '**/schemas/**', '#shared/schemas/*'], message: 'The domain knows nothing of HTTP.' },
          { group: ['**/compose/**', '#shared/compose/*'], message: 'The domain is built by shared/compose; it never imports it.' },
          { group: ['**/config.ts', '#shared/config.ts'], message: 'The domain takes settings as arguments; shared/compose reads the config.' },
        ],
      }],
    },
  },
  {
    files: ['shared/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/http/**', '#shared/http/*', '**/routes/**', '#shared/routes/*'], message: 'Adapters implement domain ports; they know nothing of HTTP.' },
          { group: ['**/compose/**', '#shared/compose/*'], message: 'Adapters are built by shared/compose; they never import it.' },
        ],
      }],
    },
  },
  {
    files: ['shared/http/**/*.ts', 'shared/routes/**/*.ts', 'shared/schemas/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@aws-sdk/*'], message: 'AWS clients live in shared/adapters.' },
          { group: ['**/adapters/**', '#shared/adapters/*'], message: 'HTTP and route modules reach adapters only through shared/compose.' },
          { group: ['**/compose/**', '#shared/compose/*'], message: 'The handler wrapper takes what it needs (invocation-end hooks, credential resolvers); it imports no composition module.' },
        ],
      }],
    },
  },
  {
    files: ['functions/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['@aws-sdk/*'], message: 'Handlers call shared/ code; AWS clients live in shared/adapters.' },
          { group: ['**/adapters/**', '#shared/adapters/*'], message: 'Handlers call their area\'s services from shared/compose/<area>.ts, never an adapter.' },
          { group: ['#shared/http/manifest.ts', '**/http/manifest.ts'], message: 'A handler imports its own area\'s routes (shared/routes/<area>.ts): the manifest would put every area\'s schemas in its bundle.' },
        ],
      }],
    },
  },
  // The console (SPEC §10): React's hooks rules, and the API only through the typed client (client/):
  // no server code in the browser bundle.
  {
    files: ['console/src/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat['recommended-latest']],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/shared/**', '#shared/*', '**/functions/**', '#functions/*', '**/infra/**', '#infra/*', '**/local/**', '#local/*', '@aws-sdk/*'], message: 'The console reaches the API only through the typed client (client/index.ts).' },
        ],
      }],
    },
  },
  { files: ['eslint.config.js'], extends: [tseslint.configs.disableTypeChecked] },
);
