/**
 * Efficiency (src/compare: efficiency, dive-efficiency, dive-ci) against dive's own answers:
 * fixtures/dive/dive-says.json holds what dive 0.12 printed (`dive --json`, `dive --ci` with
 * thresholds just below, just above and on each figure) for images a Docker engine built. The
 * hidden-bytes figures are held to the layer tars and to Docker's export of multistep, and to
 * what its Dockerfile did.
 */
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {CI_RULE_KEYS, DEFAULT_CI_RULES, evaluateCi, loadCiRules, parseByteSize, parseCiRules, parseGoFloat} from '../../src/compare/dive-ci.js'
import {diveEfficiency} from '../../src/compare/dive-efficiency.js'
import {diveExportJson, type Efficiency, efficiencyOf, measureEfficiency, userWastedRatio} from '../../src/compare/efficiency.js'
import {ImgdiffError} from '../../src/errors.js'
import {type Image} from '../../src/image/model.js'
import {fileEntryFromMember, type TarMember} from '../../src/image/file-entry.js'
import {cleanup, fixture, multistepSteps, parseTar, readImage, readJson, readSave, tempDir} from './support.js'

afterAll(cleanup)

interface DiveSays {
  archives: Record<string, {export: string; userWastedPercent: number | null; ci: Array<{name: string; config: string | null; exitCode: number; results: Record<string, string>}>}>
}
const says = readJson<DiveSays>(fixture('dive/dive-says.json'))
type Reference = {count: number; sizeBytes: number; file: string}
/** dive lists equal sizes in no stable order: compare as bytes (largest first), then path. */
/** Each archive read once (the reading is src/formats' and src/archive's work, not under test here). */
const images = new Map<string, Promise<Image>>()
const imageOf = (name: string): Promise<Image> => {
  if (!images.has(name)) images.set(name, readImage(fixture('dive', name)))
  return images.get(name)!
}
const settled = (refs: Reference[]) => [...refs].sort((x, y) => y.sizeBytes - x.sizeBytes || (x.file < y.file ? -1 : x.file > y.file ? 1 : 0))

describe('dive\'s figures, as dive computed them', () => {
  for (const [name, said] of Object.entries(says.archives)) {
    it(`${name}: dive --json`, async () => {
      const e = efficiencyOf(await imageOf(name))
      const theirs = JSON.parse(said.export) as {layer: unknown[]; image: {sizeBytes: number; inefficientBytes: number; efficiencyScore: number; fileReference: Reference[]}}
      const text = diveExportJson(e)
      // Byte for byte up to the path list (Go's escapes, two-space indentation), then as a set.
      const cut = said.export.indexOf('"fileReference"')
      expect(text.slice(0, cut)).toBe(said.export.slice(0, cut))
      const ours = JSON.parse(text) as typeof theirs
      expect(ours.image.fileReference).toEqual(settled(theirs.image.fileReference))
      expect(text.endsWith('}')).toBe(true)
      expect(e.dive.efficiency).toBe(theirs.image.efficiencyScore)
      expect(e.dive.wastedBytes).toBe(theirs.image.inefficientBytes)
      expect(e.dive.sizeBytes).toBe(theirs.image.sizeBytes)
      expect(e.dive.wastedUserPercent).toBe(said.userWastedPercent)
      expect(e.dive.userSizeBytes).toBe(e.dive.sizeBytes - e.dive.layers[0].sizeBytes)
    })

    for (const c of said.ci) {
      it(`${name}: dive --ci with ${c.name === 'default' ? 'its defaults' : `thresholds ${c.name} the figures`}`, async () => {
        const e = efficiencyOf(await imageOf(name))
        const result = evaluateCi(e, parseCiRules(c.config ?? '', c.config === null ? null : '.dive-ci'))
        expect(Object.fromEntries(result.rules.map((r) => [r.key, r.status]))).toEqual(c.results)
        expect(result.pass).toBe(c.exitCode === 0)
        const counts = Object.values(c.results)
        expect(result.counts).toEqual({total: 3, passed: counts.filter((s) => s === 'PASS').length, failed: counts.filter((s) => s === 'FAIL').length, warned: 0, skipped: counts.filter((s) => s === 'SKIP').length})
        for (const r of result.rules) {
          expect(r.message === '', r.key).toBe(r.status === 'PASS')
          if (r.status === 'SKIP') expect(r).toMatchObject({measured: null, threshold: null, message: 'rule disabled'})
        }
      })
    }
  }
})

describe('hidden bytes: what the layers store and the final filesystem does not show', () => {
  it('multistep: stored, visible and hidden content, per layer and per path, as the Dockerfile made them', async () => {
    const image = await readImage(fixture('multistep.save.tar'))
    const {efficiency: e, changes, fs} = measureEfficiency(image, {changes: true})
    const save = readSave(fixture('multistep.save.tar'))
    const layerTars = save.manifest[0].Layers.map((l) => parseTar(save.member(l)))
    const content = (members: ReturnType<typeof parseTar>) => members.filter((m) => m.type === '0').reduce((n, m) => n + m.size, 0)
    // What Docker's export of the image holds (hard links once): what the final filesystem shows.
    const exported = parseTar(readFileSync(fixture('multistep.export.tar')))
    expect(e.hidden.storedBytes).toBe(layerTars.reduce((n, t) => n + content(t), 0))
    expect(e.hidden.visibleBytes).toBe(content(exported))
    expect(fs.get('/app/hello.txt')?.type).toBe('file')
    expect(e.hidden.bytes).toBe(e.hidden.storedBytes - e.hidden.visibleBytes)
    expect(e.layers.reduce((n, l) => n + l.hidden.bytes, 0)).toBe(e.hidden.bytes)
    expect(e.layers.reduce((n, l) => n + l.hidden.files, 0)).toBe(e.hidden.files)
    expect(e.hidden.paths.reduce((n, p) => n + p.bytes, 0)).toBe(e.hidden.bytes)
    expect(e.hidden.paths.reduce((n, p) => n + p.copies, 0)).toBe(e.hidden.files)
    const why = Object.fromEntries(e.hidden.paths.map((p) => [p.path, p.why]))
    // rm /app/tmp.txt, rm -rf /app/data/cache, rm -rf /app/old: deleted.
    expect(why['/app/tmp.txt']).toBe('deleted')
    expect(why['/app/data/cache/a.txt']).toBe('deleted')
    expect(why['/app/old/readme.txt']).toBe('deleted')
    // chmod stored run.sh again, same content; chown stored notes.txt again.
    expect(why['/app/run.sh']).toBe('duplicate')
    expect(why['/app/notes.txt']).toBe('duplicate')
    // app.conf was rewritten in step 10: its earlier copies held other content.
    expect(why['/app/conf/app.conf']).toBe('overwritten')
    const conf = e.hidden.paths.find((p) => p.path === '/app/conf/app.conf')!
    const steps = multistepSteps().steps
    const layerOfStep = (n: number) => steps[n - 1].diffIds.length - 1
    expect(conf.layers).toEqual([layerOfStep(5), layerOfStep(8)])
    expect(conf.copies).toBe(2)
    expect(conf.bytes).toBe('line 1\nline 2\nline 3\n'.length * 2)
    expect(e.hidden.paths.map((p) => p.bytes)).toEqual([...e.hidden.paths.map((p) => p.bytes)].sort((x, y) => y - x))
    // Step 7's layer removed tmp.txt and the cache directory with its two files.
    const rm = e.layers[layerOfStep(7)]
    expect(rm).toMatchObject({step: 7, createdBy: steps[6].createdBy, diffId: steps[6].diffIds.at(-1), members: layerTars[layerOfStep(7)].length})
    expect(rm.removed).toEqual({files: 4, bytes: 'temporary\n'.length + 'cached a\n'.length + 'cached b\n'.length})
    expect(rm.contentBytes).toBe(content(layerTars[layerOfStep(7)]))
    const removedRows = changes.filter((c) => c.layer === layerOfStep(7) && c.change === 'removed').map((c) => c.path).sort()
    expect(removedRows).toEqual(['/app/data/cache', '/app/data/cache/a.txt', '/app/data/cache/b.txt', '/app/tmp.txt'])
    // What step 5 stored at /app/tmp.txt is hidden; what step 13 (COPY) stored is seen.
    expect(changes.find((c) => c.layer === layerOfStep(5) && c.path === '/app/tmp.txt')).toMatchObject({change: 'added', type: 'file', size: 10, hidden: true})
    expect(changes.find((c) => c.layer === layerOfStep(13) && c.path === '/app/hello.txt')).toMatchObject({change: 'added', hidden: false})
    expect(changes.find((c) => c.layer === layerOfStep(8) && c.path === '/app/run.sh')).toMatchObject({change: 'changed', hidden: false})
    expect(changes.every((c) => !('source' in c))).toBe(true)
    // The first layer is busybox: it adds everything it has.
    expect(e.layers[0]).toMatchObject({step: 1, createdBy: 'Imported from -', removed: {files: 0, bytes: 0}, changed: {files: 0, bytes: 0}})
    expect(e.layers[0].added.files).toBe(layerTars[0].length)
    expect(e.layers[0].added.bytes).toBe(content(layerTars[0]))
    // Without `changes`, no rows.
    expect(measureEfficiency(image).changes).toEqual([])
  })

  it('layers without history: no step, no command', async () => {
    const image = await readImage(fixture('multistep.save.tar'))
    const e = efficiencyOf({...image, history: []})
    expect(e.layers.every((l) => l.step === null && l.createdBy === null)).toBe(true)
    expect(e.dive.layers.every((l) => l.command === '(missing)' && l.digestId === '')).toBe(true)
  })
})

describe('dive\'s counting on small layers', () => {
  const T = 1_577_836_800
  const m = (name: string, size = 0, typeflag = '0'): TarMember => ({name, typeflag, mode: 0o644, uid: 0, gid: 0, size, mtime: T, linkname: '', devmajor: 0, devminor: 0, dataOffset: 0, storedSize: size})
  const layer = (...members: TarMember[]) => ({files: members.map((x) => fileEntryFromMember(x))})

  it('no layers: a score of 1, nothing seen', () => {
    expect(diveEfficiency([])).toEqual({efficiency: 1, minimumBytes: 0, discoveredBytes: 0, inefficient: [], layerSizes: []})
  })

  it('a path that is a leaf in two layers wastes all its copies; a deleted file is a sighting of 0 bytes', () => {
    const f = diveEfficiency([layer(m('a/', 0, '5'), m('a/x', 10), m('a/y', 4)), layer(m('a/x', 6)), layer(m('a/.wh.y', 0))])
    expect(f.layerSizes).toEqual([14, 6, 0])
    expect(f.inefficient).toEqual([{path: '/a/x', count: 2, bytes: 16}, {path: '/a/y', count: 2, bytes: 4}])
    // minimum: x 6, y 0; discovered: x 16, y 4.
    expect([f.minimumBytes, f.discoveredBytes]).toEqual([6, 20])
    expect(f.efficiency).toBe(6 / 20)
  })

  it('a deleted directory weighs what was under it; a whiteout of nothing stops the layer\'s count', () => {
    const f = diveEfficiency([layer(m('d/', 0, '5'), m('d/f', 7), m('d/g', 3)), layer(m('.wh.d'))])
    expect(f.inefficient).toEqual([])
    expect(f.discoveredBytes).toBe(10 + 10)
    const g = diveEfficiency([layer(m('a', 5)), layer(m('.wh.b'), m('c', 4))])
    // The whiteout of /b (nothing below) ends layer 2's walk: /c is never seen.
    expect(g.discoveredBytes).toBe(5)
    expect(g.minimumBytes).toBe(5 - 1)
  })

  it('AUFS bookkeeping and opaque markers are no paths; global headers are no members', () => {
    const f = diveEfficiency([layer(m('o/', 0, '5'), m('o/x', 3)), layer(m('o/.wh..wh..opq'), m('.wh..wh.plnk/1.2', 9), m('pax', 0, 'g'))])
    expect(f.layerSizes).toEqual([3, 9])
    expect(f.inefficient).toEqual([])
    expect(f.discoveredBytes).toBe(3)
  })

  it('names sort bytewise, as Go\'s', () => {
    const f = diveEfficiency([layer(m('é', 1), m('z', 1), m('Z', 1)), layer(m('é', 1), m('z', 1), m('Z', 1))])
    expect(f.inefficient.map((p) => p.path)).toEqual(['/Z', '/z', '/é'])
  })

  it('a container export read as a plain filesystem: .wh. names are files', () => {
    const f = diveEfficiency([{files: layer(m('.wh.x', 3)).files, markers: false}, {files: layer(m('.wh.x', 2)).files, markers: false}])
    expect(f.inefficient).toEqual([{path: '/.wh.x', count: 2, bytes: 5}])
  })

  it('userWastedRatio divides as dive does: NaN for 0/0, +Inf for x/0', () => {
    expect(userWastedRatio({wastedBytes: 5, userSizeBytes: 10})).toBe(0.5)
    expect(userWastedRatio({wastedBytes: 0, userSizeBytes: 0})).toBeNaN()
    expect(userWastedRatio({wastedBytes: 5, userSizeBytes: 0})).toBe(Infinity)
  })

  it('diveExportJson escapes <, >, & and line separators as Go does', () => {
    const e = {dive: {layers: [{index: 0, id: 'x', digestId: 'd', sizeBytes: 1, command: 'a && b > c < d \u2028\u2029'}], sizeBytes: 1, wastedBytes: 0, efficiency: 1, inefficientPaths: []}} as unknown as Efficiency
    const text = diveExportJson(e)
    expect(text).toContain('"command": "a \\u0026\\u0026 b \\u003e c \\u003c d \\u2028\\u2029"')
    expect(text).toBe(JSON.stringify(JSON.parse(text), null, 2).replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0')))
  })
})

describe('.dive-ci rules as dive reads them', () => {
  it('the defaults, and keys in any letter case under `rules:`', () => {
    expect(DEFAULT_CI_RULES).toEqual({lowestEfficiency: '0.9', highestWastedBytes: 'disabled', highestUserWastedPercent: '0.1'})
    const defaults = parseCiRules('', null)
    expect(defaults).toEqual({source: null, rules: [
      {key: 'highestUserWastedPercent', value: '0.1', threshold: 0.1},
      {key: 'highestWastedBytes', value: 'disabled', threshold: null},
      {key: 'lowestEfficiency', value: '0.9', threshold: 0.9},
    ]})
    expect(CI_RULE_KEYS).toEqual(defaults.rules.map((r) => r.key))
    const read = parseCiRules('plugins: [x]\nrules:\n  LOWESTEFFICIENCY: 0.5\n  highestwastedbytes: 20MB\n  highestUserWastedPercent:\n  other: 1\n', 'f')
    expect(read.rules.map((r) => r.threshold)).toEqual([0.1, 20_000_000, 0.5])
    expect(read.rules.map((r) => r.value)).toEqual(['0.1', '20MB', '0.5'])
    expect(parseCiRules('rules:\n', 'f').rules.map((r) => r.threshold)).toEqual([0.1, null, 0.9])
    expect(parseCiRules('lowestEfficiency: 0.1\n', 'f').rules[2].threshold).toBe(0.9)
    expect(parseCiRules('rules:\n  lowestEfficiency: true\n', 'f', {lowestEfficiency: '0.3'}).rules[2]).toEqual({key: 'lowestEfficiency', value: '0.3', threshold: 0.3})
    expect(parseCiRules('---\n', 'f').rules.map((r) => r.value)).toEqual(['0.1', 'disabled', '0.9'])
  })

  it('refuses a bad file or value in one line naming where it came from', () => {
    const refusal = (text: string, overrides = {}) => {
      try {
        parseCiRules(text, 'ci.yaml', overrides)
      } catch (error) {
        expect(error).toBeInstanceOf(ImgdiffError)
        return (error as Error).message
      }
      return 'accepted'
    }
    expect(refusal('rules: [1]\n')).toBe(`ci.yaml: 'rules' must be a mapping of rule names to values (e.g. lowestEfficiency: 0.9)`)
    expect(refusal('- a\n- b\n')).toBe(`ci.yaml: expected a YAML mapping with a 'rules:' section`)
    expect(refusal('just text\n')).toBe(`ci.yaml: expected a YAML mapping with a 'rules:' section`)
    expect(refusal('rules:\n  lowestEfficiency: [1]\n')).toBe('ci.yaml: rules.lowestEfficiency must be a single value, not a list')
    expect(refusal('rules:\n  lowestEfficiency: {a: 1}\n')).toBe('ci.yaml: rules.lowestEfficiency must be a single value, not a mapping')
    expect(refusal('rules:\n  lowestEfficiency: 1.5\n')).toBe(`ci.yaml: rules.lowestEfficiency: '1.5' is outside 0-1 (a ratio: 0.9 means 90 %; or disabled)`)
    expect(refusal('rules:\n  highestUserWastedPercent: -0.5\n')).toMatch(/'-0\.5' is outside 0-1/)
    expect(refusal('rules:\n  lowestEfficiency: high\n')).toBe(`ci.yaml: rules.lowestEfficiency: 'high' is not a number (use a ratio from 0 to 1, e.g. 0.9 for 90 %; or disabled)`)
    expect(refusal('rules:\n  highestWastedBytes: lots\n')).toBe(`ci.yaml: rules.highestWastedBytes: 'lots' is not a size (use a number of bytes or units such as 500kB, 20MB, 31KiB; or disabled)`)
    expect(refusal('', {highestWastedBytes: 'lots'})).toMatch(/^--highestWastedBytes: 'lots' is not a size/)
    expect(refusal('rules: "a\n')).toMatch(/^ci\.yaml: not valid YAML \([^\n]+\)$/)
    expect(refusal('rules:\n  lowestEfficiency: 1\n  highestUserWastedPercent: 0\n')).toBe('accepted')
    expect(() => parseCiRules('rules: [1]', null)).toThrow(/^CI rules: /)
  })

  it('loadCiRules: a named file, or ./.dive-ci if there is one, else the defaults', async () => {
    const dir = tempDir()
    const file = path.join(dir, 'rules.yaml')
    writeFileSync(file, 'rules:\n  lowestEfficiency: 0.25\n')
    const loaded = await loadCiRules(file, {highestWastedBytes: '1kB'})
    expect(loaded.source).toBe(file)
    expect(loaded.rules.map((r) => r.threshold)).toEqual([0.1, 1000, 0.25])
    await expect(loadCiRules(path.join(dir, 'missing.yaml'))).rejects.toThrow(`--ci-config ${path.join(dir, 'missing.yaml')}: no such file`)
    mkdirSync(path.join(dir, 'sub'))
    await expect(loadCiRules(path.join(dir, 'sub'))).rejects.toThrow(`--ci-config ${path.join(dir, 'sub')}: is a directory, not a .dive-ci file`)
    // The test runs where there is no .dive-ci: dive's defaults.
    expect(await loadCiRules(undefined, {lowestEfficiency: '0.5'})).toEqual({source: null, rules: parseCiRules('', null, {lowestEfficiency: '0.5'}).rules})
  })

  it('parseGoFloat reads what Go\'s strconv.ParseFloat reads', () => {
    const good: Array<[string, number]> = [['0.9', 0.9], ['.5', 0.5], ['5.', 5], ['1e-1', 0.1], ['1E+2', 100], ['+1', 1], ['-0.25', -0.25], ['0x1p-2', 0.25], ['0x.8p1', 1], ['0X1P+2', 4], ['-0x10p0', -16], ['inf', Infinity], ['+Inf', Infinity], ['-infinity', -Infinity]]
    for (const [text, value] of good) expect(parseGoFloat(text), text).toBe(value)
    expect(parseGoFloat('NaN')).toBeNaN()
    for (const bad of ['', ' 1', '1 ', '1e', 'e1', '.', '0x', '0x1', '0xp1', '1.2.3', '50%', 'disabled', '--1', 'nan1']) expect(parseGoFloat(bad), bad).toBeNull()
  })

  it('parseByteSize reads what go-humanize\'s ParseBytes reads', () => {
    const good: Array<[string, number]> = [['42', 42], ['42B', 42], ['1k', 1000], ['20MB', 20e6], ['20Mb', 20e6], ['31KiB', 31 * 1024], ['31kib', 31 * 1024], ['2ki', 2048], ['1,000 kB', 1e6], ['1.5 GiB', 1.5 * 2 ** 30], ['2 gb', 2e9], ['1TB', 1e12], ['1tib', 2 ** 40], ['1PB', 1e15], ['1pib', 2 ** 50], ['1EB', 1e18], ['1EiB', 2 ** 60], ['3m', 3e6], ['3mi', 3 * 2 ** 20], ['1.9', 1], ['4 g', 4e9], ['1 t', 1e12], ['1p', 1e15], ['1e', 1e18], ['5gi', 5 * 2 ** 30], ['1ti', 2 ** 40], ['1pi', 2 ** 50], ['1ei', 2 ** 60], ['7mib', 7 * 2 ** 20], ['1 b', 1]]
    for (const [text, value] of good) expect(parseByteSize(text), text).toBe(value)
    for (const bad of ['', 'MB', ' 5', '-1', '1BB', '1.2.3kB', '5 XB', '1..0']) expect(parseByteSize(bad), bad).toBeNull()
  })

  it('evaluateCi: a figure on its threshold passes; past it fails, with what was measured', () => {
    const e = (efficiency: number, wastedBytes: number, userSizeBytes: number) => ({dive: {efficiency, wastedBytes, userSizeBytes}}) as Efficiency
    const rules = parseCiRules('rules:\n  lowestEfficiency: 0.5\n  highestWastedBytes: 100\n  highestUserWastedPercent: 0.25\n', 'f')
    expect(evaluateCi(e(0.5, 100, 400), rules).rules.map((r) => r.status)).toEqual(['PASS', 'PASS', 'PASS'])
    const failed = evaluateCi(e(0.4, 101, 100), rules)
    expect(failed.pass).toBe(false)
    expect(failed.source).toBe('f')
    expect(failed.rules).toEqual([
      {key: 'highestUserWastedPercent', status: 'FAIL', measured: 1.01, threshold: 0.25, message: 'wasted bytes are 1.01 of the bytes added after the base layer, more than the 0.25 allowed'},
      {key: 'highestWastedBytes', status: 'FAIL', measured: 101, threshold: 100, message: '101 bytes wasted, more than the 100 allowed'},
      {key: 'lowestEfficiency', status: 'FAIL', measured: 0.4, threshold: 0.5, message: 'efficiency 0.4 is below the lowest allowed, 0.5'},
    ])
    expect(failed.counts).toEqual({total: 3, passed: 0, failed: 3, warned: 0, skipped: 0})
    // No user bytes: nothing wasted passes (NaN), something wasted fails (+Inf); neither is a number to print.
    expect(evaluateCi(e(1, 0, 0), rules).rules[0]).toMatchObject({status: 'PASS', measured: null})
    expect(evaluateCi(e(1, 5, 0), rules).rules[0]).toMatchObject({status: 'FAIL', measured: null})
  })
})
