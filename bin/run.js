#!/usr/bin/env node
import {Config, execute} from '@oclif/core'
import {namesSource} from '../dist/sources/parse.js'

// `imgdiff A B` is the main job: a first argument that is no command but names an archive (a file
// that exists, a path, `-`, or a source such as docker:NAME) goes to `diff`. A mistyped command is
// answered with "did you mean": by oclif's not-found plugin (a y/n prompt) on a terminal, and in
// one line, exit 2, where nobody can answer a prompt.
const args = process.argv.slice(2)
const first = args[0]
const ROOT_FLAGS = new Set(['-h', '--help', '-v', '--version'])
if (first?.startsWith('-') && first !== '-' && !ROOT_FLAGS.has(first)) {
  // Flags first (`imgdiff --stat A B`): still the main job, unless a command is named after them.
  const config = await Config.load(import.meta.url)
  if (!args.some((a) => config.findCommand(a))) args.unshift('diff')
} else if (first && (!first.startsWith('-') || first === '-')) {
  const config = await Config.load(import.meta.url)
  if (!config.findCommand(first) && !config.findTopic(first)) {
    if (namesSource(first) || first.includes('/') || first.includes('.') || first.includes('@')) args.unshift('diff')
    else if (!process.stdin.isTTY || !process.stdout.isTTY) {
      const ids = config.commands.filter((c) => !c.hidden).map((c) => c.id)
      const closest = ids.sort((x, y) => distance(first, x) - distance(first, y))[0]
      process.stderr.write(`imgdiff: '${first}' is not an imgdiff command nor an archive; did you mean '${closest}'? (imgdiff help lists the commands)\n`)
      process.exit(2)
    }
  }
}
await execute({args, dir: import.meta.url})

/** Levenshtein distance: how many one-letter edits turn a into b. */
function distance(a, b) {
  let row = Array.from({length: b.length + 1}, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    row = next
  }
  return row[b.length]
}
