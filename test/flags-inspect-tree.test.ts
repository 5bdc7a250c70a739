/**
 * The text of `inspect` and `tree`, read as a user reads it, against what Docker and dive said:
 * ids, tags, parents and history (fixtures/docker-says.json, multistep-steps.json: `docker image
 * inspect`, `docker history --no-trunc`), layer sizes (dive's, fixtures/dive/dive-says.json; Python's
 * tarfile for images dive was not run on), chain ids by formats.md's rule. Sizes are printed as
 * Docker prints them: decimal units, three significant digits (go-units HumanSizeWithPrecision).
 */
import {createHash} from 'node:crypto'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {fixture, FIXTURES, readJson, runCached} from './helpers/cli.js'
import {exec} from './helpers/exec.js'
import {CONFIG_FIELDS, dockerSays, hasValue, multistepSteps, type DockerImage, type Step} from './helpers/fixtures.js'

/** docker-says.json and multistep-steps.json hold these too (fixtures/README.md). */
const says = dockerSays() as ReturnType<typeof dockerSays> & {images: Record<string, DockerImage & {parent: string | null; os: string; architecture: string}>}
const steps = multistepSteps().steps as Array<Step & {created: string; comment: string | null}>
const dive = JSON.parse(readJson(path.join(FIXTURES, 'dive', 'dive-says.json')).archives['../multistep.save.tar'].export)
const UNITS = ['B', 'kB', 'MB', 'GB', 'TB']

/** docker history's SIZE: decimal units, `%.3g` (no space). */
function dockerSize(n: number): string {
  let i = 0
  while (n >= 1000 && i < UNITS.length - 1) {
    n /= 1000
    i++
  }
  return `${Number(n.toPrecision(3))}${UNITS[i]}`
}

/** "1.98 MB" or "1.98MB" back to bytes. */
function bytesOf(text: string): number {
  const m = /^([\d.]+)\s?([kMGT]?B)$/.exec(text.trim())
  expect(m, `a size: '${text}'`).not.toBeNull()
  return Number(m![1]) * 1000 ** UNITS.indexOf(m![2])
}

async function text(args: string[]): Promise<string> {
  const r = await runCached(args)
  expect(r.code, r.stderr).toBe(0)
  return r.stdout
}

/** A table printed under a header line: rows cut at the header's column starts. */
function table(out: string, header: RegExp): Array<Record<string, string>> {
  const lines = out.split('\n')
  const at = lines.findIndex((l) => header.test(l))
  expect(at, `no table with header ${header}`).toBeGreaterThanOrEqual(0)
  const head = lines[at]
  const names = head.trim().split(/\s{2,}/)
  const starts = names.map((n) => head.indexOf(n))
  const rows: Array<Record<string, string>> = []
  for (const line of lines.slice(at + 1)) {
    if (line.trim() === '') break
    rows.push(Object.fromEntries(names.map((n, i) => [n, line.slice(starts[i], starts[i + 1] ?? line.length).trim()])))
  }
  return rows
}

/** Per layer of a docker save, from Python's tarfile: bytes stored, members, regular-file bytes. */
async function layerFacts(file: string): Promise<Array<{stored: number; members: number; content: number}>> {
  const py = `
import io, json, sys, tarfile
outer = tarfile.open(sys.argv[1])
out = []
for name in json.load(outer.extractfile('manifest.json'))[0]['Layers']:
    data = outer.extractfile(name).read()
    with tarfile.open(fileobj=io.BytesIO(data)) as t:
        ms = t.getmembers()
        out.append({'stored': len(data), 'members': len(ms), 'content': sum(m.size for m in ms if m.isreg())})
print(json.dumps(out))
`
  const r = await exec('python3', ['-c', py, file])
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout)
}

const chainIds = (diffIds: string[]) => diffIds.reduce<string[]>((acc, d) => [...acc, acc.length === 0 ? d : 'sha256:' + createHash('sha256').update(`${acc.at(-1)} ${d}`).digest('hex')], [])

describe('inspect multistep.save.tar --no-trunc', () => {
  const image = says.images.multistep
  const args = ['inspect', fixture('multistep.save.tar'), '--no-trunc']

  it('the header: image id, tag, platform, layer and history counts Docker gave', async () => {
    const out = await text(args)
    const header = out.split('\n').slice(0, 3).join('\n')
    expect(header).toContain(image.id.slice(7, 19))
    for (const tag of image.repoTags) expect(header).toContain(tag)
    expect(header).toContain(`${image.os}/${image.architecture}`)
    expect(header).toMatch(new RegExp(`\\b${image.diffIds.length} layers\\b`))
    expect(header).toMatch(new RegExp(`\\b${image.history} history entries\\b`))
  })

  it('a line per config field Docker shows set, with its value; none for the others', async () => {
    const out = await text(args)
    for (const f of CONFIG_FIELDS) {
      const v = image.config[f]
      const line = new RegExp(`^${f}: (.*)$`, 'm').exec(out)
      if (!hasValue(v)) {
        expect(line, `${f} is not set in Docker's config`).toBeNull()
        continue
      }
      expect(line, f).not.toBeNull()
      expect(typeof v === 'string' ? line![1] : JSON.parse(line![1]), f).toEqual(v)
    }
  })

  it("the history table is docker history --no-trunc's: newest first, the image's id on top, CREATED, CREATED BY, SIZE", async () => {
    const rows = table(await text(args), /^STEP\s+IMAGE\s+CREATED\s+CREATED BY\s+SIZE/)
    expect(rows.map((r) => Number(r.STEP))).toEqual(steps.map((s) => s.step).reverse())
    const layerSizes = dive.layer.map((l: {sizeBytes: number}) => l.sizeBytes) as number[]
    let layer = layerSizes.length
    for (const row of rows) {
      const s = steps[Number(row.STEP) - 1]
      // After docker load, only the image itself has an id in docker history.
      expect(row.IMAGE, `step ${s.step}`).toBe(s.step === steps.length ? image.id : '<missing>')
      expect(row.CREATED, `step ${s.step}`).toBe(s.created)
      // (A cell's trailing blank, as COPY's created_by has, cannot be seen in a table.)
      expect(row['CREATED BY'], `step ${s.step}`).toBe((s.createdBy ?? '').trim())
      expect(row.SIZE, `step ${s.step}`).toBe(dockerSize(s.emptyLayer ? 0 : layerSizes[--layer]))
    }
    expect(layer, 'every layer of dive\'s listing is a row').toBe(0)
    expect(rows[rows.length - 1].COMMENT).toBe(steps[0].comment)
  })

  it('the layer table: diff_ids as Docker recorded, chain ids by formats.md, stored bytes and members as tarfile reads them', async () => {
    const rows = table(await text(args), /^#\s+DIFF_ID\s+CHAIN_ID/)
    const facts = await layerFacts(fixture('multistep.save.tar'))
    expect(rows.map((r) => r.DIFF_ID)).toEqual(image.diffIds)
    expect(rows.map((r) => r.CHAIN_ID)).toEqual(chainIds(image.diffIds))
    expect(rows.map((r) => r.STORED)).toEqual(facts.map((f) => dockerSize(f.stored)))
    expect(rows.map((r) => Number(r.FILES))).toEqual(facts.map((f) => f.members))
    expect(rows.map((r) => r.COMPRESSION)).toEqual(facts.map(() => 'none'))
    // dive and Python's tarfile agree on each layer's size: the SIZE column above rests on it.
    expect(facts.map((f) => f.content)).toEqual(dive.layer.map((l: {sizeBytes: number}) => l.sizeBytes))
  })
})

describe('tree busybox busybox-1 busybox-1-imported multistep', () => {
  const files = ['busybox.save.tar', 'busybox-1.save.tar', 'busybox-1-imported.save.tar', 'multistep.save.tar']

  interface Line {
    depth: number
    id: string
    size: number
    tags: string[]
    parent: Line | null
  }

  async function lines(): Promise<Line[]> {
    const out = await text(['tree', ...files.map((f) => fixture(f))])
    const stack: Line[] = []
    const parsed: Line[] = []
    for (const raw of out.split('\n').filter((l) => l.includes('─'))) {
      const depth = (raw.indexOf('─') - 1) / 2
      const m = /─(\S+) .*Virtual Size: ([\d.]+ ?[kMGT]?B)(?:\s+Tags: ([^[]+?))?(?:\s+\[.*\])?$/.exec(raw)
      expect(m, `a tree line: ${raw}`).not.toBeNull()
      const line: Line = {depth, id: m![1], size: bytesOf(m![2]), tags: m![3] ? m![3].split(/,\s*/) : [], parent: depth > 0 ? stack[depth - 1] : null}
      stack[depth] = line
      parsed.push(line)
    }
    return parsed
  }

  const byTag = (all: Line[], tag: string) => {
    const found = all.filter((l) => l.tags.includes(tag))
    expect(found, tag).toHaveLength(1)
    return found[0]
  }

  it("each image is drawn under its parent, by Docker's ids: busybox-1 on busybox, the import on its own", async () => {
    const all = await lines()
    const busybox = byTag(all, 'busybox:latest')
    const busybox1 = byTag(all, 'busybox-1:latest')
    const imported = byTag(all, 'busybox-1-imported:latest')
    expect(busybox).toMatchObject({depth: 0, id: says.images.busybox.id.slice(7, 19)})
    expect(says.images['busybox-1'].parent).toBe(says.images.busybox.id)
    expect(busybox1).toMatchObject({depth: 1, id: says.images['busybox-1'].id.slice(7, 19)})
    expect(busybox1.parent).toBe(busybox)
    expect(says.images['busybox-1-imported'].parent).toBeNull()
    expect(imported).toMatchObject({depth: 0, id: says.images['busybox-1-imported'].id.slice(7, 19), parent: null})
  })

  it("multistep hangs from busybox through one node per history step, each named by its id or step number", async () => {
    const all = await lines()
    const top = byTag(all, 'multistep:latest')
    expect(top.id).toBe(says.images.multistep.id.slice(7, 19))
    expect(top.depth).toBe(steps.length - 1)
    expect(steps[0].id).toBe(says.images.busybox.id)
    for (let node: Line | null = top.parent; node; node = node.parent) {
      const step = steps[node.depth]
      expect([step.id.slice(7, 19), `#${step.step}`], `node at depth ${node.depth}`).toContain(node.id.replace(/\s*\(#\d+\)$/, ''))
    }
    expect(byTag(all, 'busybox:latest').depth).toBe(0)
  })

  it("Virtual Size is the sum of the image's layer sizes (dive's for multistep, tarfile's for the others)", async () => {
    const all = await lines()
    const want: Record<string, number> = {'multistep:latest': dive.layer.reduce((n: number, l: {sizeBytes: number}) => n + l.sizeBytes, 0)}
    for (const f of files.slice(0, 3)) {
      const img = Object.values(says.images).find((i) => i.saveFile === f)!
      want[img.repoTags[0]] = (await layerFacts(fixture(f))).reduce((n, l) => n + l.content, 0)
    }
    for (const [tag, bytes] of Object.entries(want)) {
      const line = byTag(all, tag)
      // Three significant digits: within half a unit of the third digit.
      expect(Math.abs(line.size - bytes), `${tag}: ${line.size} vs ${bytes}`).toBeLessThanOrEqual(bytes * 0.005)
    }
  })
})
