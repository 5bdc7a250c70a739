import {Args} from '@oclif/core'
import {ImgdiffCommand, readFlags, readOptions} from '../cli/base-command.js'
import {readArchive} from '../formats/read.js'
import {stepsOf} from '../image/steps.js'
import {summarize} from '../image/summary.js'
import {renderInspect} from '../render/inspect-text.js'

export default class Inspect extends ImgdiffCommand {
  static summary = 'Summary, docker-history-style steps and layers of every image in an archive.'

  static examples = ['<%= config.bin %> inspect busybox-1.save.tar', '<%= config.bin %> inspect image.oci.tar --json | jq ".images[0].layers[].diffId"']

  static args = {archive: Args.string({description: 'archive to read', required: true})}

  static flags = {verify: readFlags.verify, platform: readFlags.platform, strict: readFlags.strict, 'content-hash': readFlags['content-hash']}

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Inspect)
    const images = await readArchive(args.archive, readOptions(flags))
    const data = {images: images.map((img) => ({...summarize(img), steps: stepsOf(img)}))}
    this.print(flags.json, data, () => data.images.map((s) => renderInspect(s, s.steps)).join('\n\n'))
  }
}
