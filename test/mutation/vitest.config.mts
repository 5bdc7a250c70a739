/**
 * The tests mutation testing runs: only those that import src/ in-process. The rest of the suite
 * drives the built CLI as a child process, where Stryker's instrumented code never runs, so those
 * tests could not kill a mutant and would only make every run slower.
 */
import {fileURLToPath} from 'node:url'
import {defineConfig} from 'vitest/config'

export default defineConfig({
  test: {
    // The project root (the sandbox's, when Stryker runs it): this file sits two levels down.
    root: fileURLToPath(new URL('../..', import.meta.url)),
    include: ['test/unit/**/*.test.ts', 'test/flatten.test.ts'],
    testTimeout: 30_000,
  },
})
