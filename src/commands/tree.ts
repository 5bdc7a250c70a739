import {Args} from '@oclif/core'
import {ImgdiffCommand, readFlags, readOptions} from '../cli/base-command.js'
import {readArchive} from '../formats/read.js'
import {buildTree, renderTree} from '../render/tree.js'

export default class Tree extends ImgdiffCommand {
  static summary = 'Draw the images of one or more archives as `docker images --tree` did.'

  static description = 'One node per history step. Images that share base layers share a branch; an image imported from an export is its own root. Every id shown (or #N for a metadata-only step) can be given to `imgdiff rollback --to`.'

  static examples = ['<%= config.bin %> tree busybox.save.tar busybox-1.save.tar busybox-1-imported.save.tar']

  static strict = false

  static args = {archive: Args.string({description: 'archives to read', required: true})}

  static flags = {verify: readFlags.verify, platform: readFlags.platform, strict: readFlags.strict, 'content-hash': readFlags['content-hash']}

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Tree)
    const images = (await Promise.all((argv as string[]).map((p) => readArchive(p, readOptions(flags))))).flat()
    const roots = buildTree(images)
    this.print(flags.json, {roots}, () => renderTree(roots))
  }
}
