import {Args, Flags} from '@oclif/core'
import {compareFlags, contentHashFlag, ignoredFields, ImgdiffCommand, readFlags} from '../cli/base-command.js'
import {contentPatches} from '../compare/content-patches.js'
import {compareImages} from '../compare/diff.js'
import {UsageError} from '../errors.js'
import {diffReport, imageReport} from '../render/report/index.js'
import {checkWrittenReport} from '../render/report/written.js'
import {humanSize} from '../render/units.js'

export default class Report extends ImgdiffCommand {
  static summary = 'Write one self-contained HTML page: the diff of two archives, or one image layer by layer.'

  static description = `With A and B: what the export lost (first, when one side is an export), the history drawn as a tree with each step's size and, for an export, its distance to every step; the layers side by side as the diff aligns them; a map of where the changed bytes are; and the file table (filter, sort, search; unified diffs with --content).
With A alone: the image's history and layers, what each layer adds, changes and removes, dive's efficiency figures and imgdiff's exact hidden bytes, and every path each layer changed.
The page needs no network (nothing is fetched, everything is inline) and reads without JavaScript; the script adds the interactive table. The file is written beside the target and renamed into place when complete.`

  static examples = [
    '<%= config.bin %> report busybox-1.save.tar busybox-1.export.tar -o report.html',
    '<%= config.bin %> report old.save.tar new.save.tar --content -o diff.html',
    '<%= config.bin %> report multistep.save.tar -o multistep.html',
  ]

  static args = {
    a: Args.string({description: 'archive (the old one, with B)', required: true}),
    b: Args.string({description: 'second archive (the new one); without it, a report of A alone'}),
  }

  static flags = {
    ...readFlags,
    ...contentHashFlag,
    output: Flags.string({char: 'o', description: 'HTML file to write (- for stdout)', required: true}),
    force: Flags.boolean({description: 'replace OUTPUT if it exists'}),
    content: Flags.boolean({description: 'Include unified diffs of changed text files (reads the archives a second time).'}),
    ...compareFlags,
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Report)
    const ignore = ignoredFields(flags.ignore)
    const inputs = args.b === undefined ? [args.a] : [args.a, args.b]
    if (args.b === undefined && (flags.content || flags.path || flags.ignore)) throw new UsageError('--content, --path and --ignore shape a diff: give two archives (imgdiff report A B)')
    await this.checkOutput(flags.output, {force: flags.force, inputs, json: flags.json})
    const images = await this.loadImages(inputs, flags, {reread: flags.content, exportDigest: inputs.length === 1})
    let report
    if (images.length === 2) {
      const [a, b] = images
      await this.readExportDigests(a, b)
      const {result, fs} = compareImages(a, b, {ignore, paths: flags.path ?? []})
      const patches = flags.content ? await contentPatches({a, b}, fs, result.files, flags['max-content']) : undefined
      report = diffReport({a, b}, result, patches)
    } else {
      report = imageReport(images[0])
    }
    const page = Buffer.from(report.html, 'utf8')
    await this.writeOutput(
      flags.output,
      {force: flags.force, inputs, json: flags.json, total: page.length},
      async (sink) => sink.write(Buffer.from(page)),
      (path) => checkWrittenReport(path, page.length),
    )
    const d = report.data
    const data = {output: flags.output, mode: d.mode, bytes: page.length, files: d.files.rows.length, summary: d.summary, efficiency: d.efficiency?.dive.efficiency ?? null}
    if (flags.output !== '-') this.print(flags.json, data, () => `Wrote ${flags.output}: ${humanSize(page.length)}, ${d.mode === 'diff' ? `the diff of ${inputs.join(' and ')}` : `the layers of ${inputs[0]}`} (${d.files.rows.length} file rows).`)
  }
}
