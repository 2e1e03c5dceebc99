// ESLint for rebound: typescript-eslint's type-checked rules over the TypeScript sources, run by `npm test`
// (test/unit/lint.test.ts) so that a lint error fails the test run. Rules are switched off only with a reason.
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'reports/**', 'bench/**/*.js', 'tools/**', 'bin/**', '**/*.mjs', '**/*.cjs', 'eslint.config.js', 'test/fixtures/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { '@stylistic': stylistic },
    rules: {
      // The formatter: the house style, fixed by `npx eslint --fix .` (2 spaces, single quotes, semicolons,
      // trailing commas on multi-line literals), with lines of at most 150 characters (max-len below).
      '@stylistic/indent': ['error', 2, { SwitchCase: 1, flatTernaryExpressions: true, offsetTernaryExpressions: false, ignoredNodes: ['TemplateLiteral *'] }],
      '@stylistic/quotes': ['error', 'single', { avoidEscape: true, allowTemplateLiterals: 'always' }],
      '@stylistic/semi': ['error', 'always'],
      '@stylistic/comma-dangle': ['error', 'always-multiline'],
      '@stylistic/eol-last': ['error', 'always'],
      '@stylistic/no-trailing-spaces': 'error',
      '@stylistic/no-multiple-empty-lines': ['error', { max: 1, maxEOF: 0 }],
      '@stylistic/object-curly-spacing': ['error', 'always'],
      '@stylistic/arrow-parens': ['error', 'always'],
      // Lines stay readable in a side-by-side diff.
      'max-len': ['error', { code: 150, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true, ignoreComments: false }],
      // `as unknown as` and `as never` hide a type error instead of fixing it (allowed in tests, below).
      'no-restricted-syntax': ['error',
        { selector: 'TSAsExpression > TSAsExpression[typeAnnotation.type="TSUnknownKeyword"]', message: 'no `as unknown as`: give the value its real type' },
        { selector: 'TSAsExpression[typeAnnotation.type="TSNeverKeyword"]', message: 'no `as never`: give the value its real type' },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `interface TrialResult extends Frozen<Static<...>> {}` names a schema's type, so errors and hovers show the name.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      // Promise-returning interfaces (revert, release, close) are implemented by async functions that need no await.
      '@typescript-eslint/require-await': 'off',
      // A Duration prints as the Go-style string it was written as (`30s`), which is what messages want.
      '@typescript-eslint/restrict-template-expressions': ['error', { allow: [{ from: 'file', name: 'Duration', path: 'harness/scenario/duration.ts' }] }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests build partial fakes of client-node's types, read results and fixtures as plain JSON, and await hooks
      // that may or may not be async.
      'no-restricted-syntax': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/await-thenable': 'off',
      '@typescript-eslint/no-base-to-string': 'off',
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
