/**
 * The README's output blocks (`<!-- imgdiff-output: ARGS -->`) are what the built CLI prints now.
 * Each block is made again exactly as test/readme/regenerate.mjs makes it (test/readme/blocks.mjs:
 * an 80-column pseudo-terminal, no colour, paths relative to the project) and must equal the README
 * byte for byte, but for trailing spaces. What must change with time does not: the CLI runs with
 * its clock fixed (test/readme/clock.mjs) three days after the fixtures' images were made, so
 * relative times ("3 days ago") and flatten's unpack time are the same on every run, and so are the
 * widths of the columns around them. When a block is stale, run `node test/readme/regenerate.mjs`
 * and read the change before committing it.
 */
import {readFileSync} from 'node:fs'
import {beforeAll, describe, expect, it} from 'vitest'
import {checkDist} from './helpers/cli.js'
import {findBlocks, mapLimited, parseSpec, README, renderBlock, replaceBlocks, shellWords} from './readme/blocks.mjs'

const text = readFileSync(README, 'utf8')
const blocks = findBlocks(text) as Array<{spec: string; body: string; open: number}>
const specs = [...new Set(blocks.map((b) => b.spec))]
const fresh = new Map<string, string>()

beforeAll(async () => {
  checkDist()
  const out = await mapLimited(specs, 3, (spec: string) => renderBlock(spec))
  specs.forEach((s, i) => fresh.set(s, out[i]))
}, 90_000)

describe('the blocks themselves', () => {
  it('the README has output blocks for inspect, tree and the diff summaries', () => {
    const commands = specs.map((s) => parseSpec(s).args.slice(0, 1)[0])
    for (const c of ['inspect', 'tree', 'diff', 'flatten', 'rollback']) expect(commands, c).toContain(c)
    expect(specs.some((s) => s.includes('--stat'))).toBe(true)
    expect(specs.some((s) => s.includes('--name-status'))).toBe(true)
  })

  it('markers parse as a shell would split them, and rewriting a README with its own bodies changes nothing', () => {
    expect(shellWords(`diff a.tar b.tar --path '/app/conf/**' --change 'CMD ["sh"]' x"y z"`)).toEqual(['diff', 'a.tar', 'b.tar', '--path', '/app/conf/**', '--change', 'CMD ["sh"]', 'xy z'])
    expect(parseSpec('inspect x.tar --ci | from Using')).toEqual({command: 'inspect x.tar --ci', args: ['inspect', 'x.tar', '--ci'], from: 'Using'})
    expect(replaceBlocks(text, new Map(blocks.map((b) => [b.spec, b.body])))).toBe(text)
  })
})

describe('README.md output blocks equal fresh output of the built CLI (node test/readme/regenerate.mjs rewrites them)', () => {
  for (const b of blocks) {
    it(`README.md:${b.open + 1}: imgdiff ${b.spec}`, () => {
      expect(b.body, `README.md:${b.open + 1} is stale: run node test/readme/regenerate.mjs`).toBe(fresh.get(b.spec))
    })
  }
})
