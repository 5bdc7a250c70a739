// Mutation testing of the library's core (issue 13.4): `npm run mutate`, scores and survivors in test/README.md ("Mutation score").
// Paths are relative to the project root, where the npm script runs.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // perTest coverage below already picks each mutant's tests; vitest's `related` mode would only
  // add an import-graph walk to every run.
  vitest: {configFile: 'test/mutation/vitest.config.mts', related: false},
  mutate: ['src/image/**/*.ts', 'src/compare/**/*.ts', 'src/write/**/*.ts'],
  // Each mutant runs only the tests that reached it in the first (dry) run.
  coverageAnalysis: 'perTest',
  // Two cores, shared with other work.
  concurrency: 2,
  timeoutMS: 20_000,
  // The sandbox needs src/, the unit tests and fixtures/: test/bench/.cache alone is gigabytes.
  // tsconfig.json stays out too: vitest does not need it, and Stryker's tsconfig rewriting calls a
  // TypeScript API that the project's TypeScript 7 (the native compiler) does not have.
  ignorePatterns: ['/dist', '/test/bench', '/test/e2e', '/test/fuzz', '/test/judge', '/.ci', '/.tmp', '/bin', '/tsconfig.json'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: {fileName: 'reports/mutation/index.html'},
  jsonReporter: {fileName: 'reports/mutation/mutation.json'},
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // Colours of the report; the 80 % target is per folder, which `break` (one overall figure) cannot say.
  thresholds: {high: 90, low: 80, break: null},
}
