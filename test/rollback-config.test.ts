/**
 * Rollback's config, without an engine: the builders kept every step as an image, and their
 * configs were recorded (fixtures/multistep-steps.json by Docker's classic builder,
 * fixtures/buildah/buildah-steps.json by `buildah bud --layers`). A rollback to each step, with and
 * without --base, must give that step's runtime config, field by field; with --base and the step
 * being the base itself, the base's own config bytes (so its own image id).
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {cleanupTemps, fixture, readJson, runJson, tempDir} from './helpers/cli.js'
import {dockerSays, multistepSteps} from './helpers/fixtures.js'

afterAll(cleanupTemps)

const FIELDS = ['Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User', 'ExposedPorts', 'Volumes', 'Labels', 'StopSignal', 'Shell', 'OnBuild'] as const

/** null, '', [] and {} all mean "not set" in a config. */
function norm(v: unknown): unknown {
  if (v === undefined || v === null || v === '') return null
  if (Array.isArray(v)) return v.length === 0 ? null : v
  if (typeof v === 'object') return Object.keys(v as object).length === 0 ? null : v
  return v
}

function runtimeOf(config: Record<string, unknown> | null | undefined): Record<string, unknown> {
  return Object.fromEntries(FIELDS.map((f) => [f, norm(config?.[f])]))
}

async function rollback(source: string, step: number, extra: string[] = []): Promise<any> {
  const out = path.join(tempDir(), 'out.tar')
  return runJson(['rollback', source, '--to', String(step), '-o', out, '--json', ...extra])
}

describe('Docker classic builder: every step of multistep', () => {
  const steps = multistepSteps().steps
  const busyboxId = dockerSays().images.busybox.id
  for (const s of steps) {
    it(`step ${s.step} (${s.createdBy?.slice(0, 50) ?? s.comment})`, async () => {
      if (s.historyNonEmpty === 0) return
      const plain = await rollback(fixture('multistep.save.tar'), s.step)
      const withBase = await rollback(fixture('multistep.save.tar'), s.step, ['--base', fixture('busybox.save.tar')])
      expect(runtimeOf(withBase.config), 'with --base').toEqual(runtimeOf(s.config))
      // Without the base, a field only the base set is unknowable: the notes must say which.
      const known = runtimeOf(plain.config)
      const theirs = runtimeOf(s.config)
      const unknown = FIELDS.filter((f) => JSON.stringify(known[f]) !== JSON.stringify(theirs[f]))
      for (const f of unknown) expect(plain.inexact.join(' '), `step ${s.step}: ${f} differs from Docker's, and no note says so`).toContain(f)
      expect(known.Env === null || (known.Env as string[]).every((e) => (theirs.Env as string[] | null)?.includes(e)), `step ${s.step}: Env has values Docker's step lacks`).toBe(true)
      if (s.step === 1) expect(withBase.imageId, 'step 1 with --base is busybox itself').toBe(busyboxId)
    })
  }
})

describe('buildah bud --layers: every step of buildah-multi', () => {
  const recorded = readJson(fixture('buildah/buildah-steps.json')) as {steps: Array<{step: number; id: string; config: Record<string, unknown>}>}
  for (const s of recorded.steps) {
    it(`step ${s.step}`, async () => {
      const plain = await rollback(fixture('buildah/buildah-multi.save.tar'), s.step)
      const withBase = await rollback(fixture('buildah/buildah-multi.save.tar'), s.step, ['--base', fixture('busybox.save.tar')])
      expect(runtimeOf(withBase.config), 'with --base').toEqual(runtimeOf(s.config))
      // Without it, busybox's Cmd ["sh"] (which a later CMD replaces) is unknowable: said, not guessed.
      const known = runtimeOf(plain.config)
      const theirs = runtimeOf(s.config)
      for (const f of FIELDS.filter((f) => JSON.stringify(known[f]) !== JSON.stringify(theirs[f]))) {
        expect(plain.inexact.join(' '), `step ${s.step}: ${f} differs from buildah's, and no note says so`).toContain(f)
      }
      expect(known.Env, 'the default PATH appears at the first build step, not at the imported base').toEqual(theirs.Env)
      expect(known.Labels, 'io.buildah.version appears at the first buildah step').toEqual(theirs.Labels)
      if (s.step === 1) expect(withBase.imageId).toBe(s.id)
    })
  }
})

describe('the base can come from the same archive', () => {
  it('busybox-multi holds busybox and busybox-1: busybox-1 --to 1 is busybox, byte for byte', async () => {
    const r = await rollback(fixture('busybox-multi.save.tar'), 1, ['--image', 'busybox-1:latest'])
    expect(r.imageId).toBe(dockerSays().images.busybox.id)
  })
})

describe('the last step is the image itself', () => {
  it('multistep --to 19, with or without --config keep, is multistep: its own config bytes, its own id', async () => {
    const {id, steps} = multistepSteps()
    const last = steps.at(-1)!.step
    for (const extra of [[], ['--config', 'keep'], ['--base', fixture('busybox.save.tar')]]) {
      expect((await rollback(fixture('multistep.save.tar'), last, extra)).imageId, extra.join(' ')).toBe(id)
    }
  })
})

describe('refusals', () => {
  it('--config keep with --base is an error, not a silent choice', async () => {
    const {run, expectOneLineError} = await import('./helpers/cli.js')
    const r = await run(['rollback', fixture('busybox-1.save.tar'), '--to', '1', '--config', 'keep', '--base', fixture('busybox.save.tar'), '-o', path.join(tempDir(), 'x.tar')])
    expect(expectOneLineError(r, 'keep + base')).toMatch(/--config keep .*--base/)
  })

  it('a --base that does not begin the image is an error', async () => {
    const {run, expectOneLineError} = await import('./helpers/cli.js')
    const r = await run(['rollback', fixture('busybox-1.save.tar'), '--to', '1', '--base', fixture('buildah/buildah-multi.save.tar'), '-o', path.join(tempDir(), 'x.tar')])
    expect(expectOneLineError(r, 'not a base')).toMatch(/is not the base of/)
  })
})

it('the recorded buildah steps are what the archive holds (same history lengths as its steps)', () => {
  const recorded = JSON.parse(readFileSync(fixture('buildah/buildah-steps.json'), 'utf8')) as {steps: Array<{step: number}>}
  expect(recorded.steps.map((s) => s.step)).toEqual(recorded.steps.map((_, i) => i + 1))
})
