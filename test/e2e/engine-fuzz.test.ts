/**
 * Random images against a real Docker engine: test/fuzz/engine_diff.py (Python's standard library
 * only, no code shared with src/) builds small images of 1-4 random layers byte by byte (paths
 * that collide, symlinks, hard links, whiteouts, opaque markers, implied parents, set-id modes,
 * devices, extended attributes, odd names and times), loads each into a private, empty engine this
 * test starts, and holds imgdiff's flatten to `docker create` + `docker export`, listed by
 * test/judge/list_tar.py; an image Docker refuses must be refused by imgdiff too. The 56 curated
 * cases (fidelity.test.ts) test the rules we know; this finds the ones we do not (it found five).
 * The seed is fixed, so a failure here is a case anyone can run again:
 *   python3 test/fuzz/engine_diff.py --seed 1 --case N --verbose      (DOCKER_HOST set)
 * Longer runs: `npm run fuzz:engine -- --count 5000 --seed S`.
 */
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {cleanupTemps, ROOT, tempDir} from '../helpers/cli.js'
import {suiteNotRun} from '../helpers/not-run.js'
import {decideEngine, Engine, exec} from './engine-helpers.js'

const decision = decideEngine()
const CASES = 150

if (!decision.run) {
  suiteNotRun('random images, live', 'ENGINE FUZZ SUITE NOT RUN: no Docker engine on this machine', decision.why)
} else {
  describe('random images: flatten equals what a real Docker engine unpacks', () => {
    let engine: Engine | undefined
    let work = ''

    beforeAll(async () => {
      work = tempDir('imgdiff-engine-fuzz-')
      engine = await Engine.start('fuzz', work)
    }, 300_000)

    afterAll(async () => {
      await engine?.stop()
      cleanupTemps()
    }, 120_000)

    it(`${CASES} images of seed 1: every one Docker loads flattens to its export, every one it refuses is refused`, async () => {
      const r = await exec('python3', [path.join(ROOT, 'test/fuzz/engine_diff.py'), '--quick', '--count', String(CASES), '--seed', '1', '--jobs', '2', '--keep', path.join(work, 'kept')], {
        env: engine!.env(),
        timeoutMs: 900_000,
      })
      const last = r.stdout.trim().split('\n').pop() ?? ''
      let summary: {cases: number; loaded: number; refused: number; disagreed: number; signatures: string[]}
      try {
        summary = JSON.parse(last)
      } catch {
        throw new Error(`engine_diff.py gave no summary (exit ${r.code}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`)
      }
      expect(summary.disagreed, `disagreements: ${summary.signatures.join('; ')}\n${r.stdout.slice(-4000)}`).toBe(0)
      expect(r.code).toBe(0)
      expect(summary.cases).toBe(CASES)
      // Both answers must be exercised, or the run proves nothing.
      expect(summary.loaded).toBeGreaterThan(CASES / 2)
      expect(summary.refused).toBeGreaterThan(CASES / 20)
    }, 900_000)
  })
}
