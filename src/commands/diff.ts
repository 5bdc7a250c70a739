import {Args, Flags} from '@oclif/core'
import {compareFlags, contentHashFlag, ignoredFields, ImgdiffCommand, readFlags} from '../cli/base-command.js'
import {contentPatches} from '../compare/content-patches.js'
import {compareImages} from '../compare/diff.js'
import {listed, nameOnly, nameStatus, stat} from '../render/diff-summary.js'
import {diffLines} from '../render/diff-text.js'
import {jsonPieces} from '../render/json-pieces.js'
import {imageOfContainer} from '../sources/container-image.js'

export default class Diff extends ImgdiffCommand {
  static summary = 'Show what differs between two archives: files, layers, history, config.'

  static description = `A and B may be any mix of docker save archives (legacy, 1.10+, 25+), OCI layout archives and container exports (docker export), compressed or not. ARCHIVE@N or ARCHIVE@NAME:TAG picks one image of an archive that holds several, so one archive's two images can be compared.
When one side is an export, imgdiff first says what the export lost (history, layers, config, tags) and which history step of the image the export matches, or that it is not an export of that image at all.
Files a container adds just by existing (/.dockerenv, /etc/hosts, ...) are counted apart as runtime files.
The filesystems compared are the ones Docker unpacks (README, "Fidelity"); an mtime Docker sets to the time of unpacking is never a difference.
Sources: a tar file (compressed or not), a directory (OCI layout, unpacked docker save, skopeo dir:, or a root filesystem), - for stdin, docker:IMAGE, podman:IMAGE, container:ID (podman-container:ID), and skopeo's oci:DIR[:TAG], dir:DIR, docker-archive:FILE[:REF], oci-archive:FILE[:TAG]. Each is read once; with --content, a stream (stdin, an engine) is first copied to a temp file, removed afterwards.

Exit status: 0 no differences (or --exit-code not given), 1 differences (with --exit-code or -q), 2 trouble.`

  static examples = [
    '<%= config.bin %> busybox-1.save.tar busybox-1.export.tar',
    '<%= config.bin %> docker:busybox-1 container:c1',
    '<%= config.bin %> container:c1',
    'docker save app | <%= config.bin %> - app.export.tar',
    '<%= config.bin %> diff old.save.tar new.save.tar --content --path "/etc/**"',
    '<%= config.bin %> diff a.tar b.tar --stat',
    '<%= config.bin %> diff a.tar b.tar --name-only | xargs -n1 echo',
    '<%= config.bin %> diff a.tar b.tar --ignore mtime --ignore uid,gid --exit-code',
    '<%= config.bin %> diff multi.tar@1 multi.tar@2',
    '<%= config.bin %> diff a.tar b.tar --json | jq .summary',
  ]

  static args = {
    a: Args.string({description: 'first archive (the old one); ARCHIVE@N picks an image of several', required: true}),
    b: Args.string({description: 'second archive (the new one); may be left out when A is a container (container:ID), whose image is then A'}),
  }

  static flags = {
    ...readFlags,
    ...contentHashFlag,
    'image-a': Flags.string({description: 'Image to use from A (as --image, for A only).'}),
    'image-b': Flags.string({description: 'Image to use from B (as --image, for B only).'}),
    'exit-code': Flags.boolean({description: 'Exit 1 when the archives differ in more than runtime files.'}),
    quiet: Flags.boolean({char: 'q', description: 'Print nothing; exit 1 when the archives differ (implies --exit-code).'}),
    stat: Flags.boolean({description: 'Only a summary: paths and bytes per top-level directory and per kind of change.', exclusive: ['name-only', 'name-status']}),
    'name-only': Flags.boolean({description: 'Only the changed paths, one per line, in path order.', exclusive: ['stat', 'name-status']}),
    'name-status': Flags.boolean({description: 'Only A/D/M, a tab and the path, one per line.', exclusive: ['stat', 'name-only']}),
    content: Flags.boolean({description: 'Show unified diffs of changed text files (reads the archives a second time).'}),
    ...compareFlags,
    runtime: Flags.boolean({description: 'List runtime-file changes too (marked R).'}),
  }

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Diff)
    const ignore = ignoredFields(flags.ignore)
    // `imgdiff container:ID`: the container against the image it was created from.
    const [first, second] = args.b === undefined ? [await imageOfContainer(args.a), args.a] : [args.a, args.b]
    // ARCHIVE@N has picked its image as it was read (sources/parse.ts); --image-a/-b pick from the rest.
    const sides = [{path: first, image: flags['image-a'] ?? flags.image}, {path: second, image: flags['image-b'] ?? flags.image}]
    const all = await this.readArchives(
      sides.map((s) => s.path),
      flags,
      {reread: flags.content, exportDigest: false},
    )
    const [a, b] = all.map((images, i) => this.pick(images, sides[i].image, sides[i].path))
    await this.readExportDigests(a, b)
    const {result, fs} = compareImages(a, b, {ignore, paths: flags.path ?? []})
    const patches = flags.content ? await contentPatches({a, b}, fs, result.files, flags['max-content']) : undefined
    const differs = !result.summary.identical
    if (flags.quiet) this.exit(differs ? 1 : 0)
    const style = this.styleOf(flags)
    // A diff of many paths is written as it is made, never held as one string (README, "Performance").
    if (flags.json) await this.emit(jsonPieces({...result, patches: patches ? Object.fromEntries(patches) : null}))
    else if (flags['name-only']) this.logAll(nameOnly(listed(result, flags.runtime)))
    else if (flags['name-status']) this.logAll(nameStatus(listed(result, flags.runtime)))
    else if (flags.stat) this.log(stat(listed(result, flags.runtime), style))
    else await this.emit(lines(diffLines(result, {runtime: flags.runtime, patches}, style)))
    if (flags['exit-code'] && differs) this.exit(1)
  }

  /** Lines that may be none at all: nothing is printed then, not an empty line. */
  private logAll(text: string): void {
    if (text !== '') this.log(text)
  }
}

/** Lines with a newline between each. */
function* lines(all: string[]): Generator<string> {
  for (const [i, line] of all.entries()) yield i === 0 ? line : '\n' + line
}
