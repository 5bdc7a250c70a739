import {Args, Flags} from '@oclif/core'
import {ImgdiffCommand, readFlags} from '../cli/base-command.js'
import {compareImages} from '../compare/diff.js'
import {contentPatches} from '../compare/content-patches.js'
import {IGNORABLE} from '../compare/file-meta.js'
import {UsageError} from '../errors.js'
import {renderDiff} from '../render/diff-text.js'

export default class Diff extends ImgdiffCommand {
  static summary = 'Show what differs between two archives: files, layers, history, config.'

  static description = `A and B may be any mix of docker save archives (legacy, 1.10+, 25+), OCI layout archives and container exports (docker export), compressed or not.
When one side is an export, imgdiff first says what the export lost (history, layers, config, tags) and which history step of the image the export matches.
Files a container adds just by existing (/.dockerenv, /etc/hosts, ...) are counted apart as runtime files.

Exit status: 0 no differences (or --exit-code not given), 1 differences (with --exit-code), 2 trouble.`

  static examples = [
    '<%= config.bin %> busybox-1.save.tar busybox-1.export.tar',
    '<%= config.bin %> diff old.save.tar new.save.tar --content --path "/etc/**"',
    '<%= config.bin %> diff a.tar b.tar --ignore mtime,uid,gid --exit-code',
    '<%= config.bin %> diff a.tar b.tar --json | jq .summary',
  ]

  static args = {
    a: Args.string({description: 'first archive (the old one)', required: true}),
    b: Args.string({description: 'second archive (the new one)', required: true}),
  }

  static flags = {
    ...readFlags,
    'exit-code': Flags.boolean({description: 'Exit 1 when the archives differ in more than runtime files.', default: false}),
    content: Flags.boolean({description: 'Show unified diffs of changed text files.', default: false}),
    'max-content': Flags.integer({description: 'Largest file (bytes) whose content --content reads.', default: 256 * 1024}),
    path: Flags.string({description: 'Only paths matching this glob (repeatable), e.g. "/etc/**".', multiple: true, default: []}),
    ignore: Flags.string({description: `Comma-separated fields not to compare: ${IGNORABLE.join(', ')}.`, default: ''}),
    runtime: Flags.boolean({description: 'List runtime-file changes inline instead of only counting them.', default: false}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Diff)
    const ignore = flags.ignore.split(',').map((s) => s.trim()).filter(Boolean)
    const unknown = ignore.filter((f) => !(IGNORABLE as string[]).includes(f))
    if (unknown.length > 0) throw new UsageError(`--ignore: unknown field ${unknown.join(', ')} (use ${IGNORABLE.join(', ')})`)
    const [a, b] = await this.loadImages([args.a, args.b], flags)
    const {result, fs} = compareImages(a, b, {ignore, paths: flags.path})
    const patches = flags.content ? await contentPatches({a, b}, fs, result.files, flags['max-content']) : undefined
    if (flags.json) {
      this.log(JSON.stringify(patches ? {...result, patches: Object.fromEntries(patches)} : result, null, 2))
    } else {
      this.log(renderDiff(result, {runtime: flags.runtime, patches}))
    }
    if (flags['exit-code'] && !result.summary.identical) this.exit(1)
  }
}
