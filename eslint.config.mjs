// Lint for what the compiler cannot see: promises nobody awaits, `async` without an `await`,
// value imports of types, and disable comments that do not say why.
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'packages/bullmq/bench/**', 'packages/cli/test/fixtures/syntax-error.ts', '**/*.js', '**/*.cjs', '**/*.mjs', 'packages/dashboard/public/**'] },
  {
    files: ['**/*.ts'],
    extends: [comments.recommended],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-require-imports': 'error',
      '@typescript-eslint/no-invalid-void-type': 'error',
      'no-control-regex': 'error',
      'no-throw-literal': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports', disallowTypeAnnotations: false }],
      '@eslint-community/eslint-comments/require-description': ['error', { ignore: [] }],
      '@eslint-community/eslint-comments/no-unlimited-disable': 'error',
    },
  },
  {
    // Library code only: in pipelines and specs, an `async` step without `await` is the idiom.
    files: ['packages/*/src/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'error' },
  },
);
