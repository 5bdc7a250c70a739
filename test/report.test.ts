/**
 * `imgdiff report`: one self-contained HTML file whose panels carry the same counts as the CLI's
 * own JSON (`diff --json`, `tree --json`, `inspect --json`) for the engine-made fixtures, and
 * which is written the way every imgdiff output is (complete or not at all; --force; -o -).
 * The page in a real browser is test/e2e/report-browser.test.ts.
 */
import {existsSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {cleanupTemps, expectOneLineError, fixture, FIXTURES, readJson, run, runJson, tempDir} from './helpers/cli.js'
import {packTar} from './helpers/tar.js'

const SAVE = fixture('busybox-1.save.tar')
const EXPORT = fixture('busybox-1.export.tar')
const MULTISTEP = fixture('multistep.save.tar')

/** The attributes of the first element with this id. */
function element(html: string, id: string): Record<string, string> | null {
  const m = new RegExp(`<[a-z]+ [^>]*\\bid="${id}"[^>]*>`).exec(html)
  if (!m) return null
  return Object.fromEntries([...m[0].matchAll(/([a-z-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]]))
}

function count(html: string, pattern: RegExp): number {
  return [...html.matchAll(pattern)].length
}

/** The JSON blob the page embeds. */
function blob(html: string): any {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)
  expect(m, 'the report embeds its data').not.toBeNull()
  return JSON.parse(m![1])
}

/** What makes a page need the network: external URLs in src/href (or any url(...)), or elements that fetch. */
function expectSelfContained(html: string): void {
  expect(html.startsWith('<!DOCTYPE html>')).toBe(true)
  expect(html.trimEnd().endsWith('</html>')).toBe(true)
  expect(html.match(/\b(?:src|href|xlink:href|action|poster|srcset)\s*=\s*["']?\s*(?:https?:)?\/\//gi), 'external src/href').toBeNull()
  expect(html.match(/url\(\s*["']?\s*(?:https?:)?\/\//gi), 'external url() in CSS').toBeNull()
  expect(html.match(/<(?:link|iframe|object|embed)\b/gi), 'elements that load other files').toBeNull()
  expect(html.match(/<script\b[^>]*\bsrc=/gi), 'external scripts').toBeNull()
  expect(html).toContain(`Content-Security-Policy" content="default-src 'none'`)
}

let dir = ''
let diffHtml = ''
let imageHtml = ''
beforeAll(async () => {
  dir = tempDir()
  const a = await run(['report', SAVE, EXPORT, '-o', path.join(dir, 'diff.html')])
  expect(a.code, a.stderr).toBe(0)
  diffHtml = readFileSync(path.join(dir, 'diff.html'), 'utf8')
  const b = await run(['report', MULTISTEP, '-o', path.join(dir, 'multistep.html')])
  expect(b.code, b.stderr).toBe(0)
  imageHtml = readFileSync(path.join(dir, 'multistep.html'), 'utf8')
}, 60_000)
afterAll(cleanupTemps)

describe('report A B: busybox-1 saved vs exported (the article)', () => {
  it('is one self-contained file: no URL in src/href, no file it loads, nothing left beside it', () => {
    expect(readdirSync(dir).sort()).toEqual(['diff.html', 'multistep.html'])
    expectSelfContained(diffHtml)
  })

  it('the lost-history panel comes first after the two archives, with the counts diff --json gives', async () => {
    const d = await runJson(['diff', SAVE, EXPORT, '--json'])
    const lost = element(diffHtml, 'lost')
    expect(lost).not.toBeNull()
    expect(Number(lost!['data-history'])).toBe(d.lost.history)
    expect(Number(lost!['data-layers'])).toBe(d.lost.layers)
    expect(lost!['data-side']).toBe('B')
    const order = ['sides', 'lost', 'history', 'layers', 'map', 'files'].map((id) => diffHtml.indexOf(`<section id="${id}"`))
    expect(order.every((at) => at > 0)).toBe(true)
    expect([...order].sort((x, y) => x - y)).toEqual(order)
    expect(diffHtml).toContain('config: Cmd')
    expect(diffHtml).toContain('tags: busybox-1:latest')
  })

  it('the tree has a row per node of `imgdiff tree`, and the export-match chart a bar per step', async () => {
    const tree = await runJson(['tree', SAVE, EXPORT, '--json'])
    const nodes = (ns: any[]): number => ns.reduce((n, x) => n + 1 + nodes(x.children), 0)
    const history = element(diffHtml, 'history')!
    expect(Number(history['data-nodes'])).toBe(nodes(tree.roots))
    expect(count(diffHtml, /class="hrow"/g)).toBe(nodes(tree.roots))
    const d = await runJson(['diff', SAVE, EXPORT, '--json'])
    const chart = element(diffHtml, 'match-chart')!
    expect(Number(chart['data-steps'])).toBe(d.exportMatch.steps.length)
    expect(Number(chart['data-best'])).toBe(d.exportMatch.step)
    const bars = [...diffHtml.matchAll(/class="match-step" data-step="(\d+)" data-differing="(\d+)"/g)].map((m) => ({step: Number(m[1]), differing: Number(m[2])}))
    expect(bars).toEqual(d.exportMatch.steps.map((s: any) => ({step: s.step, differing: s.differing})))
  })

  it('the layer bars are the rows of the diff, with their statuses', async () => {
    const d = await runJson(['diff', SAVE, EXPORT, '--json'])
    expect(Number(element(diffHtml, 'layers')!['data-rows'])).toBe(d.layers.length)
    const statuses = [...diffHtml.matchAll(/class="layer-row" data-status="([a-z-]+)"/g)].map((m) => m[1])
    expect(statuses).toEqual(d.layers.map((l: any) => l.status))
  })

  it('the map and the file table count what diff --json counts, runtime files apart', async () => {
    const d = await runJson(['diff', SAVE, EXPORT, '--json'])
    const map = element(diffHtml, 'map')!
    expect(Number(map['data-files'])).toBe(d.files.filter((f: any) => !f.runtime).length)
    expect(Number(map['data-runtime-files'])).toBe(d.summary.runtime)
    const files = element(diffHtml, 'files')!
    expect(Number(files['data-added'])).toBe(d.summary.added)
    expect(Number(files['data-removed'])).toBe(d.summary.removed)
    expect(Number(files['data-modified'])).toBe(d.summary.modified)
    expect(Number(files['data-runtime'])).toBe(d.summary.runtime)
    expect(Number(files['data-rows'])).toBe(d.files.length)
    const data = blob(diffHtml)
    expect(data.files.rows.map((r: any[]) => r[0])).toEqual(d.files.map((f: any) => f.path))
    expect(data.files.rows.filter((r: any[]) => r[5] === 1).length).toBe(d.summary.runtime)
    // Readable without JavaScript: the rows are in a plain table too.
    expect(count(diffHtml, /<tr data-kind="/g)).toBe(Math.min(200, d.files.length))
  })

  it('--content puts the unified diffs in the page', async () => {
    const out = path.join(dir, 'content.html')
    const r = await run(['report', SAVE, MULTISTEP, '--content', '-o', out])
    expect(r.code, r.stderr).toBe(0)
    const html = readFileSync(out, 'utf8')
    const d = await runJson(['diff', SAVE, MULTISTEP, '--content', '--json'])
    const data = blob(html)
    expect(Object.keys(data.patches).sort()).toEqual(Object.keys(d.patches).sort())
    expect(data.patches['/app/conf/app.conf']).toContain('+line 4 added')
    expect(html).toContain('<summary>diff</summary>')
    expectSelfContained(html)
  })
})

describe('report A: multistep.save.tar alone (the dive view)', () => {
  it('is one self-contained file', () => {
    expectSelfContained(imageHtml)
    expect(element(imageHtml, 'lost')).toBeNull()
  })

  it("shows dive's figures for it (fixtures/dive/dive-says.json) and imgdiff's hidden bytes", async () => {
    const says = readJson(path.join(FIXTURES, 'dive', 'dive-says.json')).archives['../multistep.save.tar']
    const dive = JSON.parse(says.export)
    const eff = element(imageHtml, 'efficiency')!
    expect(Number(eff['data-efficiency'])).toBe(dive.image.efficiencyScore)
    expect(Number(eff['data-wasted'])).toBe(dive.image.inefficientBytes)
    expect(Number(eff['data-inefficient'])).toBe(dive.image.fileReference.length)
    expect(Number(element(imageHtml, 'inefficient-paths')!['data-rows'])).toBe(dive.image.fileReference.length)
    const d = await runJson(['diff', MULTISTEP, fixture('multistep.export.tar'), '--json'])
    expect(Number(eff['data-hidden'])).toBe(d.sizes.a.hiddenBytes)
  })

  it('a tree row per history step, a bar per layer, a map, and a table of every path each layer changed', async () => {
    const inspect = await runJson(['inspect', MULTISTEP, '--json'])
    const image = inspect.images[0]
    expect(Number(element(imageHtml, 'history')!['data-nodes'])).toBe(image.history.length)
    expect(Number(element(imageHtml, 'layers')!['data-rows'])).toBe(image.layers.length)
    expect(count(imageHtml, /class="layer-row"/g)).toBe(image.layers.length)
    expect(Number(element(imageHtml, 'map')!['data-cells'])).toBeGreaterThan(0)
    expect(element(imageHtml, 'map-hidden')).not.toBeNull()
    const data = blob(imageHtml)
    const files = element(imageHtml, 'files')!
    expect(Number(files['data-rows'])).toBe(data.files.rows.length)
    // Layer 1 (the busybox base) adds every path of the base image.
    const base = await runJson(['inspect', fixture('busybox.save.tar'), '--json'])
    expect(data.files.rows.filter((r: any[]) => r[4] === '1' && r[1] === 0).length).toBeGreaterThanOrEqual(base.images[0].layers[0].files - 1)
    expect(data.efficiency.layers.map((l: any) => l.added.files + l.changed.files + l.removed.files)).toEqual(
      image.layers.map((_: unknown, i: number) => data.files.rows.filter((r: any[]) => r[4] === String(i + 1)).length),
    )
  })
})

describe('report: names that are markup', () => {
  it('a file named like HTML or a closing </script> stays text: no element, no script comes from an archive', async () => {
    const d = tempDir()
    const evil = ['</script><script>alert(1)</script>', '<img src=x onerror=alert(1)>', 'a"b\'c&amp;', '\u2028line']
    const a = path.join(d, 'a.tar')
    const b = path.join(d, 'b.tar')
    writeFileSync(a, await packTar([{name: 'etc/', type: 'directory'}, {name: 'etc/plain', data: 'x'}]))
    writeFileSync(b, await packTar([{name: 'etc/', type: 'directory'}, {name: 'etc/plain', data: 'y'}, ...evil.map((n, i) => ({name: `etc/${n}`, data: String(i)}))]))
    const out = path.join(d, 'r.html')
    const r = await run(['report', a, b, '-o', out])
    expect(r.code, r.stderr).toBe(0)
    const html = readFileSync(out, 'utf8')
    expect(count(html, /<script\b/g), 'the two scripts of the page, no third').toBe(2)
    expect(html).not.toContain('<img')
    expect(blob(html).files.rows.map((row: any[]) => row[0])).toEqual(expect.arrayContaining(evil.map((n) => `/etc/${n}`)))
  })
})

describe('report: writing', () => {
  it('refuses to replace a file without --force, replaces it with --force', async () => {
    const out = path.join(tempDir(), 'r.html')
    writeFileSync(out, 'old')
    expect(expectOneLineError(await run(['report', MULTISTEP, '-o', out]), 'existing output')).toMatch(/already exists.*--force/)
    expect(readFileSync(out, 'utf8')).toBe('old')
    const r = await run(['report', MULTISTEP, '-o', out, '--force', '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({output: out, mode: 'image'})
    expect(readFileSync(out, 'utf8').startsWith('<!DOCTYPE html>')).toBe(true)
  })

  it('-o - writes the page to stdout', async () => {
    const r = await run(['report', SAVE, EXPORT, '-o', '-'])
    expect(r.code, r.stderr).toBe(0)
    expectSelfContained(r.stdout)
  })

  it('a failure leaves nothing behind', async () => {
    const d = tempDir()
    const bad = path.join(d, 'bad.tar')
    writeFileSync(bad, Buffer.alloc(4096, 7))
    const out = path.join(d, 'r.html')
    expectOneLineError(await run(['report', SAVE, bad, '-o', out]), 'unreadable B')
    expect(readdirSync(d)).toEqual(['bad.tar'])
    expect(existsSync(out)).toBe(false)
  })

  it('--content, --path and --ignore need two archives', async () => {
    expect(expectOneLineError(await run(['report', MULTISTEP, '--content', '-o', path.join(tempDir(), 'x.html')]), 'one archive with --content')).toMatch(/two archives/)
  })
})
