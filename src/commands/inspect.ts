import {Args, Flags} from '@oclif/core'
import {ImgdiffCommand, readFlags} from '../cli/base-command.js'
import {stepsOf} from '../image/steps.js'
import {summarize} from '../image/summary.js'
import {renderInspect} from '../render/inspect-text.js'

export default class Inspect extends ImgdiffCommand {
  static summary = 'Show an archive\'s images: a header, the config, `docker history`-style steps, the layers.'

  static description = `The history table is docker history's: newest step first, with the image id Docker shows for each step (<missing> where Docker shows none), how long ago, the command and its size. STEP numbers and IMAGE ids work with \`imgdiff rollback --to\`. Rows fit the terminal's width; --no-trunc shows everything whole.`

  static examples = [
    '<%= config.bin %> inspect busybox-1.save.tar',
    '<%= config.bin %> inspect app.oci.tar --platform linux/arm64',
    '<%= config.bin %> inspect image.tar --json | jq -r ".images[0].layers[].diffId"',
  ]

  static args = {archive: Args.string({description: 'archive to read', required: true})}

  static flags = {
    ...readFlags,
    'no-trunc': Flags.boolean({description: 'Do not cut CREATED BY or ids; show times as recorded (RFC 3339).'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Inspect)
    const [images] = await this.readArchives([args.archive], flags)
    const chosen = flags.image ? [this.pick(images, flags.image, args.archive)] : images
    const data = {images: chosen.map((img) => ({...summarize(img), steps: stepsOf(img)}))}
    const style = this.styleOf(flags)
    this.print(flags.json, data, () => data.images.map((s) => renderInspect(s, s.steps, style, {noTrunc: flags['no-trunc']})).join('\n\n'))
  }
}
