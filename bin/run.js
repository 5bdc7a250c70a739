#!/usr/bin/env node
import {Config, execute} from '@oclif/core'

// `imgdiff A B` is the main job: a first argument that is not a command (nor a flag) is an archive,
// so route it to `diff` before oclif reads it as an unknown command.
const args = process.argv.slice(2)
const first = args[0]
if (first && !first.startsWith('-')) {
  const config = await Config.load(import.meta.url)
  if (!config.findCommand(first) && !config.findTopic(first)) args.unshift('diff')
}
await execute({args, dir: import.meta.url})
