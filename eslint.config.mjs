// Lint: typescript-eslint, type-aware (`npm run lint` runs this and `prettier --check`).
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'contrib/', 'bin/', 'types/', '.bench/', 'eslint.config.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // The store and the metric collectors implement async interfaces with synchronous bodies (SQLite is
      // synchronous): `async` there is what turns a throw into a rejection, so an await is not required.
      '@typescript-eslint/require-await': 'off',
      // Values are bytes: the filter and syntax code match control characters on purpose.
      'no-control-regex': 'off',
      // Unused names are allowed when they start with an underscore (placeholders in signatures and destructuring).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
);
