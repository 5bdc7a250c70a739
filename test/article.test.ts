/**
 * The "done when": the 2014 article's comparison of `docker save` and `docker export` of
 * the same container, answered from archives a real Docker wrote (fixtures/README.md).
 */
import {afterAll, describe, expect, it} from 'vitest'
import {cleanupTemps, fixture, runCached, runJson} from './helpers/cli.js'
import {CONFIG_FIELDS, RUNTIME_PARENTS, RUNTIME_PATHS, dockerSays, hasValue, multistepSteps} from './helpers/fixtures.js'

afterAll(cleanupTemps)

const says = dockerSays()
const busybox1 = says.images['busybox-1']
const multistep = says.images.multistep
/** Config fields Docker showed a value for (`docker image inspect busybox-1`). */
const setFields = (img: typeof busybox1) => CONFIG_FIELDS.filter((f) => hasValue(img.config[f]))
const unsetFields = (img: typeof busybox1) => CONFIG_FIELDS.filter((f) => !hasValue(img.config[f]))
const ALLOWED_RUNTIME = new Set([...RUNTIME_PATHS, ...RUNTIME_PARENTS])

/** A file change line of the text output (`  A /path`, `  M /path/  mtime ...`). */
const CHANGE_LINE = /^\s*[RADM] \//

describe('imgdiff busybox-1.save.tar busybox-1.export.tar (text, no `diff` word)', () => {
  const text = async () => {
    const r = await runCached([fixture('busybox-1.save.tar'), fixture('busybox-1.export.tar')])
    expect(r.code, r.stderr).toBe(0)
    return r.stdout
  }

  it('says first what the export lost: 2 history entries, 2 layers, the set config fields, the tag', async () => {
    const out = await text()
    const lines = out.split('\n')
    const lostAt = lines.findIndex((l) => /lost/i.test(l))
    const filesAt = lines.findIndex((l) => /^\s*Files\b/i.test(l) || CHANGE_LINE.test(l))
    expect(lostAt, 'no line says the history was lost').toBeGreaterThanOrEqual(0)
    expect(filesAt, 'no files section').toBeGreaterThan(lostAt)
    const block = lines.slice(lostAt, filesAt).join('\n')
    expect(block).toMatch(new RegExp(`\\b${busybox1.history} history entries`))
    expect(block).toMatch(new RegExp(`\\b${busybox1.diffIds.length} layers`))
    expect(setFields(busybox1).length).toBeGreaterThan(0)
    for (const f of setFields(busybox1)) expect(block, `config field ${f}`).toMatch(new RegExp(`\\b${f}\\b`))
    // Labels is {} after a commit: nothing of value was lost there.
    for (const f of unsetFields(busybox1)) expect(block, `config field ${f} had no value in Docker`).not.toMatch(new RegExp(`\\b${f}\\b`))
    for (const tag of busybox1.repoTags) expect(block).toContain(tag)
  })

  it('shows no file change but runtime files', async () => {
    const out = await text()
    expect(out).toMatch(/\b0 added\b/)
    expect(out).toMatch(/\b0 removed\b/)
    expect(out).toMatch(/\b0 modified\b/)
    expect(out.split('\n').filter((l) => CHANGE_LINE.test(l))).toEqual([])
  })

  it('names the step the export matches: step 2 (mkdir /home/test)', async () => {
    const out = await text()
    expect(out).toMatch(/matches step 2\b/)
  })
})

describe('imgdiff busybox-1.save.tar busybox-1.export.tar --json', () => {
  const json = () => runJson([fixture('busybox-1.save.tar'), fixture('busybox-1.export.tar'), '--json'])

  it('lost = side b, 2 history entries, 2 layers, the config fields Docker had set, the tag', async () => {
    const d = await json()
    expect(d.lost).not.toBeNull()
    expect({side: d.lost.side, history: d.lost.history, layers: d.lost.layers, repoTags: d.lost.repoTags}).toEqual({
      side: 'b',
      history: busybox1.history,
      layers: busybox1.diffIds.length,
      repoTags: busybox1.repoTags,
    })
    expect([...d.lost.config].sort()).toEqual([...setFields(busybox1)].sort())
  })

  it('summary: nothing added, removed or modified; every listed file is a runtime file of formats.md item 5', async () => {
    const d = await json()
    expect({added: d.summary.added, removed: d.summary.removed, modified: d.summary.modified}).toEqual({added: 0, removed: 0, modified: 0})
    expect(d.files.length).toBeGreaterThan(0)
    for (const f of d.files) {
      expect(f.runtime, `${f.path} is not a runtime file`).toBe(true)
      expect(ALLOWED_RUNTIME.has(f.path), `${f.path} is not a formats.md runtime path`).toBe(true)
    }
    expect(d.files.map((f: {path: string}) => f.path)).toContain('/.dockerenv')
  })

  it('exportMatch.step is 2', async () => {
    const d = await json()
    expect(d.exportMatch?.step).toBe(2)
  })
})

describe('a fresh `docker create` + `docker export` against the saved image: runtime files only', () => {
  // The container was created from the final image (the last step Docker recorded), and steps that
  // share a filesystem tie: the match is that final step, the image the export came from.
  const lastStep = multistepSteps().steps.at(-1)!.step
  const cases = [
    {flat: 'busybox-1.create-export.tar', image: 'busybox-1.save.tar', says: busybox1, step: 2},
    {flat: 'multistep.export.tar', image: 'multistep.save.tar', says: multistep, step: lastStep},
  ]

  it('multistep-steps.json: the image has 19 steps, the last one a metadata step (CMD)', () => {
    expect(lastStep).toBe(19)
    expect(multistepSteps().steps.at(-1)!.emptyLayer).toBe(true)
  })

  for (const c of cases) {
    for (const [a, b, side] of [
      [c.image, c.flat, 'b'],
      [c.flat, c.image, 'a'],
    ] as const) {
      it(`${a} vs ${b}`, async () => {
        const d = await runJson([fixture(a), fixture(b), '--json'])
        expect(d.summary.added + d.summary.removed + d.summary.modified, 'non-runtime changes').toBe(0)
        expect(d.summary.identical).toBe(true)
        for (const f of d.files) {
          expect(f.runtime, `${f.path} ${f.change} ${f.fields}`).toBe(true)
          expect(ALLOWED_RUNTIME.has(f.path), `${f.path} is not a formats.md runtime path`).toBe(true)
        }
        expect(d.lost.side).toBe(side)
        expect(d.lost.history).toBe(c.says.history)
        expect(d.lost.layers).toBe(c.says.diffIds.length)
        expect([...d.lost.config].sort()).toEqual([...setFields(c.says)].sort())
      })

      it(`${a} vs ${b}: the export matches step ${c.step}, the step of the image it was made from`, async () => {
        const d = await runJson([fixture(a), fixture(b), '--json'])
        expect(d.exportMatch?.step, 'exportMatch.step').toBe(c.step)
        expect(d.exportMatch?.layers, 'exportMatch.layers').toBe(c.says.diffIds.length)
      })

      it(`--exit-code: ${a} vs ${b} exits 0`, async () => {
        const r = await runCached([fixture(a), fixture(b), '--exit-code'])
        expect(r.code, r.stderr).toBe(0)
      })
    }
  }
})

describe('a real difference: busybox.save.tar vs busybox-1.save.tar', () => {
  it('--exit-code exits 1', async () => {
    const r = await runCached([fixture('busybox.save.tar'), fixture('busybox-1.save.tar'), '--exit-code'])
    expect(r.code, r.stderr).toBe(1)
    expect(r.stderr).toBe('')
  })

  it('/home/test is added, by B\'s layer 2 (the `mkdir /home/test` commit)', async () => {
    const d = await runJson([fixture('busybox.save.tar'), fixture('busybox-1.save.tar'), '--json'])
    const added = d.files.filter((f: {change: string}) => f.change === 'added')
    expect(added.map((f: {path: string}) => f.path)).toEqual(['/home/test'])
    expect(added[0].layer).toEqual({side: 'b', number: 2, diffId: busybox1.diffIds[1], deleted: false})
    expect(added[0].runtime).toBe(false)
    expect(busybox1.historyCreatedBy[1]).toBe('mkdir /home/test')
    expect(d.summary.identical).toBe(false)
  })
})

describe('an imported base image next to an image built on it', () => {
  it('is the base, not a flattened copy: no lost history, the shared layer is `same`', async () => {
    // Docker says multistep's first layer is busybox's only layer (docker-says.json).
    const says = dockerSays().images
    expect(says.multistep.diffIds[0]).toBe(says.busybox.diffIds[0])
    const d = await runJson([fixture('busybox.save.tar'), fixture('multistep.save.tar'), '--json'])
    expect(d.lost).toBeNull()
    expect(d.layers[0].status).toBe('same')
    expect(d.layers.slice(1).every((l: {status: string}) => l.status === 'only-b')).toBe(true)
  })
})
