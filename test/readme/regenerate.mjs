#!/usr/bin/env node
/**
 * Rewrite the output blocks of README.md with fresh output of the built CLI (see blocks.mjs for
 * what a block is and how it is made). Build first:
 *
 *   npx tsc -p . && node test/readme/regenerate.mjs          rewrite every block
 *   node test/readme/regenerate.mjs --check                  only say which blocks are stale (exit 1 if any)
 *
 * test/readme-output.test.ts fails while a block differs from what this would write.
 */
import {readFileSync, writeFileSync} from 'node:fs'
import {findBlocks, mapLimited, README, renderBlock, replaceBlocks} from './blocks.mjs'

const check = process.argv.includes('--check')
const text = readFileSync(README, 'utf8')
const blocks = findBlocks(text)
const specs = [...new Set(blocks.map((b) => b.spec))]
const rendered = await mapLimited(specs, 3, (spec) => renderBlock(spec))
const bodies = new Map(specs.map((s, i) => [s, rendered[i]]))
const stale = blocks.filter((b) => bodies.get(b.spec) !== b.body)
for (const b of stale) console.log(`${check ? 'stale' : 'rewritten'}: README.md:${b.open + 1} imgdiff ${b.spec}`)
if (check) {
  console.log(`${blocks.length} blocks, ${stale.length} stale`)
  process.exit(stale.length > 0 ? 1 : 0)
}
if (stale.length > 0) writeFileSync(README, replaceBlocks(text, bodies))
console.log(`${blocks.length} blocks, ${stale.length} rewritten`)
