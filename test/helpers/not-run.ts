import {describe, it} from 'vitest'

/**
 * A suite that cannot run on this machine says so loudly: a banner in the log (what and why) and
 * one skipped test named by `title`, so the run's count of skipped tests shows it too.
 */
export function suiteNotRun(suite: string, title: string, why: string): void {
  const msg = `${title} (${why})`
  console.warn(`\n${'!'.repeat(msg.length)}\n${msg}\n${'!'.repeat(msg.length)}\n`)
  describe(suite, () => {
    it.skip(title, () => {})
  })
}
