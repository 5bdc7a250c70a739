import {Args, Flags} from '@oclif/core'
import {ImgdiffCommand, readFlags} from '../cli/base-command.js'
import {UsageError} from '../errors.js'
import {FlatFs} from '../image/flatten.js'
import {writeRootfs} from '../write/rootfs.js'
import {writeSafely} from '../write/safe-output.js'
import {verifyWritten} from '../write/verify.js'

export default class Flatten extends ImgdiffCommand {
  static summary = "Write the image's filesystem as one tar: an offline `docker export` (without the runtime files)."

  static examples = ['<%= config.bin %> flatten multistep.save.tar -o rootfs.tar', '<%= config.bin %> flatten app.oci.tar -o - | tar t']

  static args = {archive: Args.string({description: 'a saved image', required: true})}

  static flags = {
    ...readFlags,
    output: Flags.string({char: 'o', description: 'file to write (- for stdout)', required: true}),
    force: Flags.boolean({description: 'replace OUTPUT if it exists', default: false}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Flatten)
    const [image] = await this.loadImages([args.archive], flags)
    if (image.kind !== 'image') throw new UsageError(`${args.archive} is already a flat filesystem (${image.format})`)
    const flat = FlatFs.of(image.layers)
    await writeSafely(flags.output, {force: flags.force, inputs: [args.archive]}, () => writeRootfs(image, flat), (path) => verifyWritten(path, {diffIds: [], kind: 'export'}).catch((error: unknown) => {
      // An export has exactly one pseudo-layer; only its readability matters here.
      if (!/does not match/.test((error as Error).message)) throw error
    }))
    const data = {output: flags.output, files: flat.entries.size}
    if (flags.output !== '-') this.print(flags.json, data, () => `Wrote ${flags.output}: ${data.files} entries, the filesystem of ${image.repoTags[0] ?? image.path}.`)
  }
}
