/**
 * BROWSER SUITE: `imgdiff report` pages opened in a real headless Chromium (Debian's `chromium`,
 * driven by playwright-core with the system browser; nothing is downloaded).
 *
 * It checks that the pages log no console error and make no network request, that the panels
 * (lost history, tree, layer bars, map, table) carry the counts `imgdiff diff --json` gives for the
 * engine-made fixtures, that filtering, sorting and the treemap's click filter work, that the page
 * reads with JavaScript off, and that a 50,000-row table answers a filter within 2 s. It saves
 * screenshots to a temp dir (or to $IMGDIFF_REPORT_SCREENSHOTS, which is how fixtures/report/*.png,
 * the README's pictures, were made).
 *
 * When it runs: always when /usr/bin/chromium exists. Without it, the suite FAILS under
 * IMGDIFF_ENGINE_TESTS=1 (CI installs chromium), and otherwise registers ONE skipped test named
 * "BROWSER SUITE NOT RUN ..." and says so in the log.
 *
 * The browser: --headless --no-sandbox --disable-gpu --disable-quic --no-first-run
 * --disable-background-networking --disable-component-update --disable-sync, and a fresh profile
 * directory (playwright passes it as --user-data-dir: launchPersistentContext).
 */
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {chromium, type BrowserContext, type Page} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {renderReportPage} from '../../src/render/report/page.js'
import {fixture, ROOT, run, runJson} from '../helpers/cli.js'
import {suiteNotRun} from '../helpers/not-run.js'

const CHROMIUM = '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
// Relative to the project root, where the CLI runs: the pages (and pictures) name fixtures/..., not this machine's paths.
const SAVE = path.relative(ROOT, fixture('busybox-1.save.tar'))
const EXPORT = path.relative(ROOT, fixture('busybox-1.export.tar'))
const MULTISTEP = path.relative(ROOT, fixture('multistep.save.tar'))

const available = existsSync(CHROMIUM)
const required = process.env.IMGDIFF_ENGINE_TESTS === '1'

/** A page's problems: console errors, uncaught exceptions, requests that leave the file. */
interface Watched {
  page: Page
  problems: string[]
}

async function open(context: BrowserContext, file: string): Promise<Watched> {
  const page = await context.newPage()
  const problems: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`))
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) problems.push(`network request: ${r.url()}`)
  })
  await page.goto(`file://${file}`)
  return {page, problems}
}

async function attr(page: Page, selector: string, name: string): Promise<number> {
  return Number(await page.getAttribute(selector, name))
}

/** Rows passing the filters, once the (debounced) filter has run. */
async function shownAfter(page: Page, action: () => Promise<void>, expected: number): Promise<number> {
  await action()
  await page.waitForFunction((n) => document.querySelector<HTMLElement>('#files')?.dataset.shown === String(n), expected, {timeout: 5000}).catch(() => undefined)
  return attr(page, '#files', 'data-shown')
}

if (!available && !required) {
  suiteNotRun('report in a browser', `BROWSER SUITE NOT RUN: ${CHROMIUM} is not installed`, 'apt-get install chromium; CI installs it')
} else {
  describe.sequential('report in headless Chromium', {timeout: 30_000}, () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'imgdiff-browser-'))
    const shots = process.env.IMGDIFF_REPORT_SCREENSHOTS ?? path.join(tmp, 'screenshots')
    let context: BrowserContext
    const report = (name: string) => path.join(tmp, name)

    beforeAll(async () => {
      expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: IMGDIFF_ENGINE_TESTS=1 needs it (apt-get install chromium)`).toBe(true)
      mkdirSync(shots, {recursive: true})
      for (const [name, args] of [
        ['article.html', [SAVE, EXPORT]],
        ['multistep.html', [MULTISTEP]],
        ['busybox-vs-multistep.html', [SAVE, MULTISTEP, '--content']],
      ] as const) {
        const r = await run(['report', ...args, '-o', report(name)])
        expect(r.code, r.stderr).toBe(0)
      }
      context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {executablePath: CHROMIUM, headless: true, args: ARGS, viewport: {width: 1280, height: 900}})
    }, 120_000)

    afterAll(async () => {
      await context?.close()
      rmSync(tmp, {recursive: true, force: true})
    })

    it("the article's pair: lost history, tree, layer bars, map and table as diff --json counts them; runtime files filter", async () => {
      const d = await runJson(['diff', SAVE, EXPORT, '--json'])
      const {page, problems} = await open(context, report('article.html'))
      await page.waitForSelector('html.js #files[data-shown]')
      expect(await page.isVisible('#lost')).toBe(true)
      expect(await attr(page, '#lost', 'data-history')).toBe(d.lost.history)
      expect(await page.locator('#history .hrow').count()).toBe(await attr(page, '#history', 'data-nodes'))
      expect(await page.locator('#match-chart .match-step').count()).toBe(d.exportMatch.steps.length)
      expect(await page.locator('#layers-chart .layer-row').count()).toBe(d.layers.length)
      expect(await page.isVisible('#map')).toBe(true)
      expect(await attr(page, '#map', 'data-runtime-files')).toBe(d.summary.runtime)
      expect(await attr(page, '#files', 'data-rows')).toBe(d.files.length)
      // Runtime files are hidden at first, as in the CLI; ticking the box shows them; a path narrows them.
      expect(await attr(page, '#files', 'data-shown')).toBe(d.files.filter((f: any) => !f.runtime).length)
      expect(await shownAfter(page, () => page.check('#f-runtime'), d.summary.runtime)).toBe(d.summary.runtime)
      const underEtc = d.files.filter((f: any) => f.path === '/etc' || f.path.startsWith('/etc/')).length
      expect(underEtc).toBeGreaterThan(0)
      expect(await shownAfter(page, () => page.fill('#f-path', '/etc'), underEtc)).toBe(underEtc)
      expect(await page.locator('#vt .vt-row').count()).toBe(underEtc)
      await page.fill('#f-path', '')
      await page.uncheck('#f-runtime')
      await page.evaluate(() => window.scrollTo(0, 0))
      await page.screenshot({path: path.join(shots, 'report-article.png')})
      expect(problems).toEqual([])
    })

    it('two images: filter by kind, search, sort by size, a treemap click, a row shows its unified diff', async () => {
      const d = await runJson(['diff', SAVE, MULTISTEP, '--json'])
      const {page, problems} = await open(context, report('busybox-vs-multistep.html'))
      await page.waitForSelector('html.js #files[data-shown]')
      const s = d.summary
      expect(await attr(page, '#files', 'data-shown')).toBe(s.added + s.removed + s.modified)
      expect(await shownAfter(page, () => page.uncheck('input[data-kind="0"]'), s.removed + s.modified)).toBe(s.removed + s.modified)
      await page.check('input[data-kind="0"]')
      const hits = d.files.filter((f: any) => f.path.toLowerCase().includes('shared')).length
      expect(await shownAfter(page, () => page.fill('#f-search', 'shared'), hits)).toBe(hits)
      await page.fill('#f-search', '')
      await page.waitForFunction((n) => document.querySelector<HTMLElement>('#files')?.dataset.shown === String(n), d.files.length)
      await page.click('.vt-head [data-sort="bytes"]')
      const biggest = Math.max(...d.files.map((f: any) => (f.b ?? f.a).size))
      expect(await page.locator('#vt .vt-row .n').first().textContent()).toBe(`${biggest} B`)
      // The treemap: a directory's rectangle filters the table to that directory.
      const cell = page.locator('#map-chart .map-cell').first()
      const dir = (await cell.getAttribute('data-dir'))!
      const under = d.files.filter((f: any) => f.path === dir || f.path.startsWith(dir + '/')).length
      expect(await shownAfter(page, () => cell.click(), under)).toBe(under)
      expect(await page.inputValue('#f-path')).toBe(dir)
      // A row with a unified diff shows it.
      await page.fill('#f-path', '/app/conf/app.conf')
      await page.waitForFunction(() => document.querySelector<HTMLElement>('#files')?.dataset.shown === '1')
      await page.click('#vt .vt-row')
      expect(await page.textContent('#patch pre')).toContain('+line 4 added')
      expect(problems).toEqual([])
    })

    it('one image: the dive view, the hidden-bytes map, a virtualised table', async () => {
      const inspect = await runJson(['inspect', MULTISTEP, '--json'])
      const {page, problems} = await open(context, report('multistep.html'))
      await page.waitForSelector('html.js #files[data-shown]')
      expect(await page.locator('#history .hrow').count()).toBe(inspect.images[0].history.length)
      expect(await page.locator('#layers-chart .layer-row').count()).toBe(inspect.images[0].layers.length)
      expect(await page.isVisible('#efficiency')).toBe(true)
      expect(await page.isVisible('#map-hidden')).toBe(true)
      const rows = await attr(page, '#files', 'data-rows')
      const inDom = await page.locator('#vt .vt-row').count()
      expect(inDom).toBeGreaterThan(0)
      expect(inDom, 'only the rows in view are built').toBeLessThan(rows)
      const removed = await page.evaluate(() => JSON.parse(document.getElementById('report-data')!.textContent!).files.rows.filter((r: any[]) => r[1] === 2).length)
      expect(await shownAfter(page, async () => {
        await page.uncheck('input[data-kind="0"]')
        await page.uncheck('input[data-kind="1"]')
      }, removed)).toBe(removed)
      await page.check('input[data-kind="0"]')
      await page.check('input[data-kind="1"]')
      await page.waitForFunction((n) => document.querySelector<HTMLElement>('#files')?.dataset.shown === String(n), rows)
      // The picture: the history drawn as a tree with its size bars, then the layer bars and their hidden bytes.
      await page.evaluate(() => window.scrollTo(0, 0))
      const from = (await page.locator('#history').boundingBox())!
      const to = (await page.locator('#layers-chart').boundingBox())!
      await page.screenshot({path: path.join(shots, 'report-multistep.png'), fullPage: true, clip: {x: 0, y: from.y - 8, width: 1280, height: to.y + to.height - from.y + 16}})
      expect(problems).toEqual([])
    })

    it('reads with JavaScript off: every panel is there, and the table is a plain table', async () => {
      const off = await chromium.launchPersistentContext(path.join(tmp, 'profile-nojs'), {executablePath: CHROMIUM, headless: true, args: ARGS, javaScriptEnabled: false})
      try {
        const {page, problems} = await open(off, report('article.html'))
        for (const id of ['#lost', '#history', '#layers-chart', '#map', '#files-static']) expect(await page.isVisible(id), id).toBe(true)
        expect(await page.isVisible('#vt')).toBe(false)
        expect(await page.locator('#files-static tbody tr').count()).toBe(await attr(page, '#files', 'data-rows'))
        expect(problems).toEqual([])
      } finally {
        await off.close()
      }
    })

    it('a 50,000-row table is interactive and answers a filter within 2 s', async () => {
      // The page of the article's pair, its table grown to 50,000 rows (the bench's big pair is not
      // committed): what is measured is the page, not the diff.
      const html = readFileSync(report('busybox-vs-multistep.html'), 'utf8')
      const data = JSON.parse(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1])
      const kinds = data.files.kinds.length
      data.files.rows = Array.from({length: 50_000}, (_, i) => [`/usr/share/d${i % 400}/s${(i >> 4) % 10}/file-${i}.txt`, i % kinds, (i * 7919) % 100_000, i % 3 === 0 ? 'mode 0644 -> 0755' : '', `B ${1 + (i % 9)}`, 0, 0])
      data.patches = null
      const big = report('big.html')
      writeFileSync(big, renderReportPage(data))
      const {page, problems} = await open(context, big)
      const started = Date.now()
      await page.waitForSelector('html.js #files[data-shown="50000"]', {timeout: 10_000})
      const want = data.files.rows.filter((r: any[]) => r[0].includes('file-4242')).length
      expect(await shownAfter(page, () => page.fill('#f-search', 'file-4242'), want)).toBe(want)
      const elapsed = Date.now() - started
      expect(elapsed, `loaded and filtered in ${elapsed} ms`).toBeLessThan(2000)
      expect(await page.locator('#vt .vt-row').count()).toBe(want)
      expect(problems).toEqual([])
    })
  })
}
