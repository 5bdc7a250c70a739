import {Args, Flags} from '@oclif/core'
import {ImgdiffCommand, readFlags, type ReadFlagValues} from '../cli/base-command.js'
import {preferSmallHeap, type SmallHeap} from '../cli/small-heap.js'
import {ImgdiffError, UsageError} from '../errors.js'
import {type ContentAt} from '../formats/layer-ranges.js'
import {plainLayerWalk} from '../formats/layer-walk.js'
import {FlatFs} from '../image/flatten.js'
import {type Image} from '../image/model.js'
import {isPlainFile} from '../sources/open.js'
import {rootfsPlan, writeRootfs} from '../write/rootfs.js'
import {unpackTime} from '../write/unpack-time.js'

export default class Flatten extends ImgdiffCommand {
  static summary = "Write the image's filesystem as one tar: an offline `docker export` (without the runtime files)."

  static description = `The filesystem is the one Docker unpacks from the layers (README, "Fidelity"), written as docker export writes it: every path once, hard links after the file they link to, security.capability kept. Directories Docker stamps with the time it unpacked a layer (parents a layer only implies, directories a layer changed without an entry of their own) get the time of this flatten, or SOURCE_DATE_EPOCH when set; the notes say how many.`

  static examples = ['<%= config.bin %> flatten multistep.save.tar -o rootfs.tar', '<%= config.bin %> flatten app.oci.tar -o - | tar t', 'SOURCE_DATE_EPOCH=0 <%= config.bin %> flatten app.tar -o rootfs.tar']

  static args = {archive: Args.string({description: 'a saved image', required: true})}

  static flags = {
    ...readFlags,
    verify: Flags.boolean({description: "Also check every layer's diff_id first (reads every layer byte; off by default: flatten, like docker export and crane export, copies the bytes it writes).", allowNo: true}),
    output: Flags.string({char: 'o', description: 'file to write (- for stdout)', required: true}),
    force: Flags.boolean({description: 'replace OUTPUT if it exists', default: false}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Flatten)
    // From the very start: set later, when the young generation has grown, it saves less.
    const heap = preferSmallHeap()
    await this.checkOutput(flags.output, {force: flags.force, inputs: [args.archive], json: flags.json})
    const {image, flat, contentAt} = await this.readFlat(args.archive, flags, heap)
    let total = 0
    let unknown = 0
    for (const f of new Set(flat.entries.values())) {
      total += f.size
      if (f.mtime === null) unknown++
    }
    const when = unpackTime()
    const out = {members: 0, contentBytes: 0}
    const plan = rootfsPlan(flat)
    await this.writeOutput(
      flags.output,
      {force: flags.force, inputs: [args.archive], json: flags.json, total},
      writeRootfs(image, flat, {unpackTime: when, written: out, contentAt}),
      // What was written is checked against the plan as it was written: every path, every byte.
      async () => {
        if (out.members !== plan.members || out.contentBytes !== plan.contentBytes) {
          throw new ImgdiffError(`the filesystem written (${out.members} entries, ${out.contentBytes} bytes) is not the one planned (${plan.members}, ${plan.contentBytes}): the archive changed while it was read?`)
        }
      },
    )
    const notes = unknown > 0 ? [`${unknown} ${unknown === 1 ? 'directory has' : 'directories have'} the mtime Docker gives at unpacking (a parent a layer only implies, or a directory a layer changed without its own entry): no offline tool can know it; written as ${new Date(when * 1000).toISOString()} (SOURCE_DATE_EPOCH sets it)`] : []
    const data = {output: flags.output, entries: flat.entries.size, contentBytes: total, unpackTime: {directories: unknown, mtime: when}, notes}
    if (flags.output === '-') {
      for (const n of notes) process.stderr.write(`imgdiff: note: ${n}\n`)
      return
    }
    this.print(flags.json, data, () => [`Wrote ${flags.output}: ${data.entries} entries, the filesystem of ${image.repoTags[0] ?? image.path}.`, ...notes.map((n) => `note: ${n}`)].join('\n'))
  }

  /**
   * The image and the filesystem its layers unpack to. Flatten copies bytes: it needs the layers'
   * headers, and reads what it writes (README, "Performance"). From a plain archive file, each
   * layer is applied as its headers are read, so no layer's entries are held (most of the memory
   * once); anything else (compressed, piped, --verify, --strict, or an archive that fails) is read
   * the usual way, which also says what is wrong in the words every command uses. (A compressed
   * archive is not tried first: its outline alone would mean inflating all of it.) `heap` is
   * asked for small from the start, and given back for the whole read.
   */
  private async readFlat(archive: string, flags: Omit<ReadFlagValues, 'verify'> & {verify?: boolean; json?: boolean; image?: string}, heap: SmallHeap): Promise<{image: Image; flat: FlatFs; contentAt?: ContentAt}> {
    if (!flags.verify && !flags.strict && (await isPlainFile(archive))) {
      const [outline] = await this.loadImages([archive], {...flags, verify: false}, {reread: true, depth: 'outer'})
      const walk = outline.kind === 'image' ? plainLayerWalk(outline) : null
      if (walk) {
        const flat = new FlatFs({removals: false})
        try {
          const index = walk((i) => flat.applying(outline.layers[i], i))
          heap.built()
          return {image: outline, flat, contentAt: index.at}
        } catch (error) {
          if (!(error instanceof ImgdiffError)) throw error
        }
      }
    }
    // The whole read inflates or hashes, and takes far longer with a small heap.
    heap.cancel()
    const [image] = await this.loadImages([archive], {...flags, verify: flags.verify ?? false}, {reread: true, depth: flags.verify ? 'full' : 'structure'})
    if (image.kind !== 'image') throw new UsageError(`${archive} is already a flat filesystem (${image.format})`)
    return {image, flat: FlatFs.of(image.layers)}
  }
}
