import {Args, Flags} from '@oclif/core'
import {ImgdiffCommand, readFlags} from '../cli/base-command.js'
import {ImgdiffError, UsageError} from '../errors.js'
import {FlatFs} from '../image/flatten.js'
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
    await this.checkOutput(flags.output, {force: flags.force, inputs: [args.archive], json: flags.json})
    // Flatten copies bytes: it needs the layers' headers, and reads what it writes (README, "Performance").
    const [image] = await this.loadImages([args.archive], {...flags, verify: flags.verify ?? false}, {reread: true, depth: flags.verify ? 'full' : 'structure'})
    if (image.kind !== 'image') throw new UsageError(`${args.archive} is already a flat filesystem (${image.format})`)
    const flat = FlatFs.of(image.layers)
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
      writeRootfs(image, flat, {unpackTime: when, written: out}),
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
}
