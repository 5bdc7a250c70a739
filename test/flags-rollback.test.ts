/**
 * rollback's --config (replay, the default; keep) and --base, judged on the archive written, as
 * skopeo reads it (`skopeo inspect --config --raw docker-archive:OUT`), never on imgdiff's own summary.
 * The expected configs are Docker's: the classic builder kept every step of multistep as an
 * image and `docker image inspect` of each was recorded (fixtures/multistep-steps.json); the final
 * one is docker-says.json's multistep.
 */
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {cleanupTemps, fixture, runJson, tempDir} from './helpers/cli.js'
import {exec} from './helpers/exec.js'
import {CONFIG_FIELDS, dockerSays, multistepSteps} from './helpers/fixtures.js'

afterAll(cleanupTemps)

const SAVE = fixture('multistep.save.tar')
const steps = multistepSteps().steps
const finalConfig = dockerSays().images.multistep.config

/** null, '', [] and {} are all "not set" (skopeo leaves empty fields out, Docker prints null). */
function norm(v: unknown): unknown {
  if (v === undefined || v === null || v === '') return null
  if (Array.isArray(v)) return v.length === 0 ? null : v
  if (typeof v === 'object') return Object.keys(v as object).length === 0 ? null : v
  return v
}
const fields = (c: Record<string, unknown> | undefined) => Object.fromEntries(CONFIG_FIELDS.map((f) => [f, norm(c?.[f])]))

/** Roll back, then read the written archive's config with skopeo (once per arguments). */
const done = new Map<string, Promise<{config: any; summary: any}>>()
function rollback(step: number, extra: string[]): Promise<{config: any; summary: any}> {
  const key = JSON.stringify([step, extra])
  if (!done.has(key)) done.set(key, rollbackOnce(step, extra))
  return done.get(key)!
}

async function rollbackOnce(step: number, extra: string[]): Promise<{config: any; summary: any}> {
  const out = path.join(tempDir(), `step${step}.tar`)
  const summary = await runJson(['rollback', SAVE, '--to', String(step), '-o', out, '--json', ...extra])
  const r = await exec('skopeo', ['inspect', '--config', '--raw', `docker-archive:${out}`])
  expect(r.code, `skopeo could not read ${out}: ${r.stderr}`).toBe(0)
  return {config: JSON.parse(r.stdout), summary}
}

describe('--config', () => {
  // Step 4 (ENV APP_MODE=prod) sets Env; the final config differs from it in every field later steps set.
  const step = steps[3]

  it('the fixture makes the point: Docker\'s step 4 config and the final config differ', () => {
    expect(step.createdBy).toMatch(/ENV APP_MODE=prod$/)
    const differ = CONFIG_FIELDS.filter((f) => JSON.stringify(norm(step.config[f])) !== JSON.stringify(norm(finalConfig[f])))
    expect(differ).toEqual(['Cmd', 'Entrypoint', 'WorkingDir', 'User', 'ExposedPorts', 'Volumes', 'StopSignal'])
  })

  it('default (replay): the written config is Docker\'s step 4 config, but for the base\'s Cmd, which is not recorded and is said so', async () => {
    const {config, summary} = await rollback(4, [])
    const want = {...fields(step.config), Cmd: null}
    expect(fields(config.config)).toEqual(want)
    expect(summary.inexact.join(' ')).toMatch(/\bCmd\b/)
    // The layers and history are cut at step 4 as Docker's step image has them.
    expect(config.rootfs.diff_ids).toEqual(step.diffIds)
    expect(config.history).toHaveLength(step.history)
  })

  it('--config replay is the default, byte for byte', async () => {
    const plain = await rollback(4, [])
    const replay = await rollback(4, ['--config', 'replay'])
    expect(replay.summary.imageId).toBe(plain.summary.imageId)
    expect(replay.config).toEqual(plain.config)
  })

  it('--config keep: the written config is the final image\'s, with the layers and history still cut at step 4', async () => {
    const {config} = await rollback(4, ['--config', 'keep'])
    expect(fields(config.config)).toEqual(fields(finalConfig))
    expect(config.rootfs.diff_ids).toEqual(step.diffIds)
    expect(config.history).toHaveLength(step.history)
  })
})

describe('--base', () => {
  // Step 15 (EXPOSE): later steps set Entrypoint and Cmd, so busybox's Cmd ["sh"] is only in the base.
  const step = steps[14]

  it('with busybox.save.tar as the base, every field is Docker\'s step 15 config, Cmd ["sh"] included', async () => {
    expect(step.createdBy).toMatch(/EXPOSE 8080\/tcp$/)
    expect(step.config.Cmd).toEqual(['sh'])
    const {config, summary} = await rollback(15, ['--base', fixture('busybox.save.tar')])
    expect(fields(config.config)).toEqual(fields(step.config))
    expect(summary.inexact).toEqual([])
    expect(config.rootfs.diff_ids).toEqual(step.diffIds)
  })

  it('without it, the same step is exact in every field the history records, and Cmd is left empty', async () => {
    const {config} = await rollback(15, [])
    expect(fields(config.config)).toEqual({...fields(step.config), Cmd: null})
  })
})
