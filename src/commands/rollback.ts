import {Args, Flags} from '@oclif/core'
import {ImgdiffCommand, readFlags} from '../cli/base-command.js'
import {readArchive, selectImage} from '../formats/read.js'
import {type Image} from '../image/model.js'
import {rollbackImage} from '../image/rollback.js'
import {resolveStep} from '../image/step-ref.js'
import {knownDiffIds, shortId} from '../image/ids.js'
import {isPlainFile} from '../sources/open.js'
import {selectorOf} from '../sources/parse.js'
import {plural} from '../render/units.js'
import {familyOf, needsFullRead, writeImageArchive} from '../write/image-archive.js'
import {type WrittenLayer} from '../write/layer-check.js'
import {UnpackCheck} from '../write/unpack-check.js'
import {verifyWritten} from '../write/verify.js'

export default class Rollback extends ImgdiffCommand {
  static summary = 'Write a new archive of the image as it was at an earlier step, loadable by docker load.'

  static description = `The offline form of the old \`docker tag <LAYER ID> name\`: layers after the step are dropped, the history is cut there, and the config is rebuilt as it stood at that step (replayed from the history, or taken from a legacy archive's own per-step config). Layer bytes are copied unchanged, and each kept layer is checked against the diff_id its config gives as it is copied (--no-verify copies it as it is). The output has the input's family (docker save, OCI, or Docker 25+ with both).
--to takes a step number as \`imgdiff inspect\` prints it, #N, an image id as \`imgdiff inspect\` and \`imgdiff tree\` print it (docker history's IMAGE column; the image's own id means its last step), or a 4+ character prefix of a diff_id or chain id.`

  static examples = [
    '<%= config.bin %> rollback multistep.save.tar --to 5 -o multistep-step5.tar',
    '<%= config.bin %> rollback busybox-1.save.tar --to 43560ae0 -o busybox.tar --tag busybox:before --base busybox.save.tar',
    '<%= config.bin %> rollback app.tar --to 3 -o - | docker load',
  ]

  static args = {archive: Args.string({description: 'a saved image (docker save or OCI archive)', required: true})}

  static flags = {
    ...readFlags,
    to: Flags.string({description: 'step to go back to: step number, #N, image id, or diff_id/chain id prefix', required: true}),
    output: Flags.string({char: 'o', description: 'file to write (- for stdout)', required: true}),
    tag: Flags.string({description: 'NAME:TAG of the result (default: the source name with tag step-N)'}),
    config: Flags.string({description: 'replay: the config as it was at that step; keep: the final config', options: ['replay', 'keep'], default: 'replay'}),
    base: Flags.string({description: 'an archive of the base image, whose config fills what the history does not record'}),
    force: Flags.boolean({description: 'replace OUTPUT if it exists', default: false}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Rollback)
    await this.checkOutput(flags.output, {force: flags.force, inputs: [args.archive, ...(flags.base ? [flags.base] : [])], json: flags.json})
    // Every image of the archive: another of them may be this one's base (see rollbackImage).
    // A plain file: its documents first (read by seeking, in a moment), which say whether the
    // output needs a full read (needsFullRead). If not, that is all the reading before the copy:
    // each kept layer is verified and its members listed as its bytes are copied, and whether
    // Docker can unpack them is checked before the output is put in place (write/verify.ts).
    // Stdout cannot be taken back, and --strict looks at names: both read the layers' headers first.
    // Other sources are read once, in full.
    let all: Image[] | undefined
    let watched = false
    if (await isPlainFile(args.archive)) {
      const [docs] = await this.readArchives([args.archive], flags, {select: false, depth: 'outer'})
      const planned = selectImage(docs, selectorOf(args.archive) ?? flags.image, args.archive)
      if (!needsFullRead(planned, familyOf(planned))) {
        watched = flags.output !== '-' && !flags.strict
        if (watched) all = docs
        else [all] = await this.readArchives([args.archive], flags, {reread: true, select: false, depth: 'structure'})
      }
    }
    all ??= (await this.readArchives([args.archive], flags, {reread: true, select: false, depth: 'full'}))[0]
    const image = selectImage(all, selectorOf(args.archive) ?? flags.image, args.archive)
    // Only the base's config and history are needed: its layers are not read.
    const base = flags.base ? selectImage(await readArchive(flags.base, {verify: false, depth: 'outer'}), undefined, flags.base) : undefined
    const step = resolveStep(image, flags.to)
    // The archive's other images can be this one's base (docker save a b): their configs are exact.
    const result = rollbackImage(image, step, {tag: flags.tag, configMode: flags.config as 'replay' | 'keep', base, candidates: all})
    const family = familyOf(image)
    const written = new Map<string, WrittenLayer>()
    const unpacks = watched ? new UnpackCheck(result.layers.map((l) => l.member!), args.archive) : undefined
    await this.writeOutput(
      flags.output,
      {force: flags.force, inputs: [args.archive, ...(flags.base ? [flags.base] : [])], json: flags.json, total: result.layers.reduce((n, l) => n + l.size, 0)},
      writeImageArchive(image, result, family, written, unpacks && ((member) => unpacks.watch(member))),
      (path) => verifyWritten(path, {diffIds: knownDiffIds(result.layers), imageId: result.imageId, kind: 'image'}, {layers: result.layers, written, diffIds: flags.verify, unpacks}),
    )
    const data = {
      output: flags.output,
      family,
      step: step.step,
      layers: result.layers.length,
      history: (result.config.history as unknown[]).length,
      imageId: result.imageId,
      repoTags: result.repoTags,
      config: result.config.config,
      inexact: result.inexact,
    }
    if (flags.output === '-') {
      for (const note of result.inexact) process.stderr.write(`imgdiff: note: ${note}\n`)
      return
    }
    this.print(flags.json, data, () =>
      [
        `Wrote ${flags.output}: ${data.repoTags.join(', ')} (${shortId(data.imageId)}), step ${step.step} of ${image.history.length}: ${plural(data.layers, 'layer')}, ${plural(data.history, 'history entry', 'history entries')} (${family}).`,
        ...result.inexact.map((n) => `note: ${n}`),
        family === 'oci'
          ? `An OCI layout: use it with skopeo (oci-archive:${flags.output}), containerd or Docker 25+.`
          : `Load it with: docker load -i ${flags.output}`,
      ].join('\n'),
    )
  }
}
