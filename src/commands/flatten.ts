import {Args, Flags} from '@oclif/core'
import {ImgdiffCommand, readFlags} from '../cli/base-command.js'
import {UsageError} from '../errors.js'
import {FlatFs} from '../image/flatten.js'
import {writeRootfs} from '../write/rootfs.js'
import {verifyWritten} from '../write/verify.js'
import {unpackTime} from '../write/unpack-time.js'

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
    await this.checkOutput(flags.output, {force: flags.force, inputs: [args.archive], json: flags.json})
    const [image] = await this.loadImages([args.archive], flags, {reread: true})
    if (image.kind !== 'image') throw new UsageError(`${args.archive} is already a flat filesystem (${image.format})`)
    const flat = FlatFs.of(image.layers)
    let total = 0
    for (const f of flat.entries.values()) total += f.size
    await this.writeOutput(
      flags.output,
      {force: flags.force, inputs: [args.archive], json: flags.json, total},
      () => writeRootfs(image, flat, {unpackTime: unpackTime()}),
      (path) => verifyWritten(path, {kind: 'export'}),
    )
    const data = {output: flags.output, files: flat.entries.size}
    if (flags.output !== '-') this.print(flags.json, data, () => `Wrote ${flags.output}: ${data.files} entries, the filesystem of ${image.repoTags[0] ?? image.path}.`)
  }
}
