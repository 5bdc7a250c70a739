import {Args} from '@oclif/core'
import {ImgdiffCommand, readFlags} from '../cli/base-command.js'
import {buildTree, renderTree} from '../render/tree.js'

export default class Tree extends ImgdiffCommand {
  static summary = 'Draw the images of one or more archives as `docker images --tree` did.'

  static description = `One node per history step, named by the image id Docker shows for it (or #N, its step number, where Docker shows <missing>). Images that share a base share its nodes; an image imported from an export is its own root. Roots and tagged images say which archive they came from; an image without a tag is marked <untagged>. Every id shown can be given to \`imgdiff rollback --to\`. Deep trees switch to a compact drawing to fit the terminal.`

  static examples = ['<%= config.bin %> tree busybox.save.tar busybox-1.save.tar busybox-1-imported.save.tar', '<%= config.bin %> tree *.tar --json | jq ".roots[].id"']

  static strict = false

  static args = {archive: Args.string({description: 'archives to read', required: true})}

  static flags = {verify: readFlags.verify, platform: readFlags.platform, strict: readFlags.strict}

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Tree)
    const paths = argv as string[]
    const all = await this.readArchives(paths, flags, {contents: false})
    const roots = buildTree(paths.map((path, i) => ({path, images: all[i]})))
    this.print(flags.json, {roots}, () => renderTree(roots, this.styleOf(flags)))
  }
}
