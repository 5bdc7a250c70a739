import {Args, Flags} from '@oclif/core'
import {ImgdiffCommand} from '../cli/base-command.js'
import {shortId} from '../image/ids.js'
import {checkChanges, importImage} from '../image/import.js'
import {readArchive} from '../formats/read.js'
import {UsageError} from '../errors.js'
import {writeImportArchive} from '../write/import-archive.js'
import {verifyWritten} from '../write/verify.js'

export default class Import extends ImgdiffCommand {
  static summary = 'Make a one-layer image from a root filesystem tar: an offline `docker import`.'

  static examples = [
    '<%= config.bin %> import rootfs.tar -o image.tar --tag busybox:imported',
    `<%= config.bin %> import export.tar.gz -o image.tar --tag app:flat --change 'CMD ["sh"]' --change 'ENV A=b'`,
  ]

  static args = {rootfs: Args.string({description: 'a root filesystem tar (e.g. from docker export), compressed or not', required: true})}

  static flags = {
    output: Flags.string({char: 'o', description: 'file to write (- for stdout)', required: true}),
    tag: Flags.string({description: 'NAME:TAG of the image', required: true}),
    change: Flags.string({description: 'Dockerfile instruction to apply to the config, as docker import --change takes them: CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL (Docker 23+), USER, VOLUME, WORKDIR; repeatable, applied in order', multiple: true, multipleNonGreedy: true}),
    force: Flags.boolean({description: 'replace OUTPUT if it exists', default: false}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Import)
    await this.checkOutput(flags.output, {force: flags.force, inputs: [args.rootfs], json: flags.json})
    checkChanges(flags.change ?? [])
    const [rootfs] = await readArchive(args.rootfs, {verify: true, reread: true})
    if (rootfs.kind !== 'export') throw new UsageError(`${args.rootfs} is a saved image (${rootfs.format}), not a root filesystem: flatten it first`)
    const image = importImage(rootfs, flags.tag, flags.change ?? [])
    await this.writeOutput(
      flags.output,
      {force: flags.force, inputs: [args.rootfs], json: flags.json, total: rootfs.layers[0].uncompressedSize},
      writeImportArchive(rootfs, image),
      (path) => verifyWritten(path, {diffIds: [image.diffId], imageId: image.imageId, kind: 'image'}),
    )
    const data = {output: flags.output, imageId: image.imageId, diffId: image.diffId, repoTags: image.repoTags}
    if (flags.output !== '-') this.print(flags.json, data, () => `Wrote ${flags.output}: ${data.repoTags.join(', ')} (${shortId(data.imageId)}), one layer ${shortId(data.diffId)}.`)
  }
}
