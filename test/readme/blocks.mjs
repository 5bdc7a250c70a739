/**
 * The README's output blocks: real output of the built CLI, pasted by regenerate.mjs and checked
 * by test/readme-output.test.ts. A block is
 *
 *   <!-- imgdiff-output: inspect fixtures/multistep.save.tar -->
 *   ```
 *   $ imgdiff inspect fixtures/multistep.save.tar
 *   ...what it printed...
 *   ```
 *   <!-- /imgdiff-output -->
 *
 * The marker holds the arguments (split as a shell would: spaces, '...' and "..." quotes). A marker
 * may end in `| from TEXT`: the block then keeps only the output from the first line that starts
 * with TEXT (leading spaces aside), after a `...` line.
 *
 * How a block is made: `node bin/run.js ARGS` on a pseudo-terminal 80 columns wide (`script`, as
 * a user's terminal: imgdiff cuts rows to the terminal's width and only there), NO_COLOR set,
 * stderr (the progress line) dropped, in a fresh temp directory where `fixtures` links to the
 * project's fixtures (paths print as `fixtures/...`, and anything written with -o lands there).
 * The clock is fixed (clock.mjs) three days after the newest image of fixtures/docker-says.json
 * was made, so relative times ("3 days ago") and flatten's unpack time do not change from run to
 * run. Trailing spaces are dropped from every line (table cells pad with them; editors strip them).
 */
import {execFile} from 'node:child_process'
import {mkdtempSync, readFileSync, rmSync, symlinkSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath, pathToFileURL} from 'node:url'

const HERE = path.dirname(fileURLToPath(import.meta.url))
export const ROOT = path.resolve(HERE, '../..')
export const README = path.join(ROOT, 'README.md')
const BIN = path.join(ROOT, 'bin/run.js')
const CLOCK = pathToFileURL(path.join(HERE, 'clock.mjs')).href
export const COLUMNS = 80

const OPEN = /^<!-- imgdiff-output: (.+?) -->$/
const CLOSE = '<!-- /imgdiff-output -->'

/** The fixed clock (ms): three days after the newest image the fixtures' engine made. */
export function fixedNow() {
  const says = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/docker-says.json'), 'utf8'))
  const newest = Math.max(...Object.values(says.images).map((i) => Date.parse(i.created)))
  return newest + 3 * 24 * 3600 * 1000
}

/** Words of a command line: spaces split, '...' and "..." keep spaces (no escapes, no variables). */
export function shellWords(text) {
  const words = []
  const re = /'([^']*)'|"([^"]*)"|([^\s'"]+)/g
  let word = null
  let last = -1
  for (const m of text.matchAll(re)) {
    const piece = m[1] ?? m[2] ?? m[3]
    // Pieces with no space between them are one word: --change 'CMD ["sh"]' vs --change='CMD'.
    if (word !== null && m.index === last) word += piece
    else {
      if (word !== null) words.push(word)
      word = piece
    }
    last = m.index + m[0].length
  }
  if (word !== null) words.push(word)
  return words
}

/** `ARGS | from TEXT` -> {command: 'ARGS', args: [...], from: 'TEXT' | null}. */
export function parseSpec(spec) {
  const cut = spec.indexOf(' | from ')
  const command = (cut === -1 ? spec : spec.slice(0, cut)).trim()
  return {command, args: shellWords(command), from: cut === -1 ? null : spec.slice(cut + ' | from '.length).trim()}
}

/**
 * Every block of the README: {spec, body, open, close}, where body is the text between the
 * fences and open/close are the line numbers of the markers.
 */
export function findBlocks(text) {
  const lines = text.split('\n')
  const blocks = []
  for (let i = 0; i < lines.length; i++) {
    const m = OPEN.exec(lines[i])
    if (!m) continue
    const close = lines.indexOf(CLOSE, i + 1)
    if (close === -1) throw new Error(`README.md:${i + 1}: ${lines[i]} has no ${CLOSE}`)
    const inner = lines.slice(i + 1, close)
    if (inner[0] !== '```' || inner.at(-1) !== '```') throw new Error(`README.md:${i + 1}: the block must be exactly one \`\`\` fence between the markers`)
    blocks.push({spec: m[1], body: inner.slice(1, -1).join('\n'), open: i, close})
    i = close
  }
  return blocks
}

/** The README with each block's body replaced by bodies.get(spec) (blocks not in the map are kept). */
export function replaceBlocks(text, bodies) {
  const lines = text.split('\n')
  const out = []
  let from = 0
  for (const b of findBlocks(text)) {
    out.push(...lines.slice(from, b.open + 1), '```', ...(bodies.get(b.spec) ?? b.body).split('\n'), '```')
    from = b.close
  }
  out.push(...lines.slice(from))
  return out.join('\n')
}

const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`

/** Run imgdiff on an 80-column pseudo-terminal (see the header). Resolves {code, stdout}. */
export function runOnTerminal(args, {columns = COLUMNS, now = fixedNow()} = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'imgdiff-readme-'))
  symlinkSync(path.join(ROOT, 'fixtures'), path.join(dir, 'fixtures'))
  const line = `stty cols ${columns} rows 50; exec ${quote(process.execPath)} --import ${quote(CLOCK)} ${quote(BIN)} ${args.map(quote).join(' ')} 2>/dev/null`
  const env = {...process.env, NO_COLOR: '1', TERM: 'xterm', IMGDIFF_README_NOW: String(now)}
  for (const k of ['FORCE_COLOR', 'DEBUG', 'SOURCE_DATE_EPOCH', 'COLUMNS']) delete env[k]
  return new Promise((resolve, reject) => {
    execFile('script', ['-qec', line, '/dev/null'], {cwd: dir, env, timeout: 120_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8'}, (error, stdout) => {
      rmSync(dir, {recursive: true, force: true})
      if (error && typeof error.code !== 'number') return reject(error)
      resolve({code: error ? error.code : 0, stdout: stdout.replace(/\r/g, '')})
    })
  })
}

/** What a block's body must be for this spec: `$ imgdiff ARGS`, then the output (or its excerpt). */
export async function renderBlock(spec, options) {
  const {command, args, from} = parseSpec(spec)
  const {stdout} = await runOnTerminal(args, options)
  let lines = stdout.split('\n').map((l) => l.replace(/\s+$/, ''))
  while (lines.length > 0 && lines.at(-1) === '') lines.pop()
  if (from !== null) {
    const start = lines.findIndex((l) => l.trimStart().startsWith(from))
    if (start === -1) throw new Error(`imgdiff ${command}: no line starts with "${from}"; its output was:\n${stdout}`)
    lines = ['...', ...lines.slice(start)]
  }
  return [`$ imgdiff ${command}`, ...lines].join('\n')
}

/** Run fn over items, at most `limit` at a time; results in order. */
export async function mapLimited(items, limit, fn) {
  const results = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      results[i] = await fn(items[i], i)
    }
  }
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker))
  return results
}
