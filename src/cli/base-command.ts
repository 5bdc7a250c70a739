import {Command, Flags} from '@oclif/core'
import {once} from 'node:events'
import {stat} from 'node:fs/promises'
import {type ContentHash} from '../archive/hash.js'
import {exportDigestsNeeded} from '../compare/export-digest.js'
import {IGNORABLE} from '../compare/file-meta.js'
import {ImgdiffError, UsageError} from '../errors.js'
import {readArchive, type ReadOptions, selectImage} from '../formats/read.js'
import {readExportDigest} from '../formats/export-digest.js'
import {readArchiveInWorker} from '../formats/read-worker.js'
import {isPlainFile} from '../sources/open.js'
import {type ScanDepth} from '../formats/scan.js'
import {type Image} from '../image/model.js'
import {Progress} from '../render/progress.js'
import {type Style, styleFor} from '../render/style.js'
import {checkOutput, type Producer, writeSafely} from '../write/safe-output.js'

/** Characters of output written at a time by `emit`. */
const EMIT_BATCH = 256 * 1024

/** Flags of every command that reads an archive. */
export const readFlags = {
  image: Flags.string({description: 'Image to use from an archive that holds several: NAME:TAG (also as Docker or Podman store it, e.g. localhost/NAME:TAG), image id prefix, or N (1-based); archives holding one image ignore it.'}),
  platform: Flags.string({description: 'os/arch[/variant] of the image to take; picks one from a multi-platform OCI index (default linux/amd64, or the only one), and is checked against the image config.'}),
  strict: Flags.boolean({description: 'Treat unusual names (absolute, or climbing out of the root with ..; Docker places them inside the root) as errors instead of warnings.'}),
  verify: Flags.boolean({description: "Check every layer's diff_id against the config (--no-verify skips it).", default: true, allowNo: true}),
}

/** How file contents are compared: only the commands that compare contents take it. */
export const contentHashFlag = {
  'content-hash': Flags.string({description: 'How file contents are compared: xxh3 (fast) or sha256 (digests you can check with sha256sum).', options: ['xxh3', 'sha256'], default: 'xxh3'}),
}

/** What shapes a comparison, for the commands that compare two images (diff, report). */
export const compareFlags = {
  'max-content': Flags.integer({description: 'Largest file (bytes) whose content --content reads.', default: 256 * 1024, min: 0}),
  path: Flags.string({description: 'Only paths matching this glob (repeatable), e.g. "/etc/**".', multiple: true, multipleNonGreedy: true}),
  ignore: Flags.string({description: `Fields not to compare (repeatable, or comma-separated): ${IGNORABLE.join(', ')}.`, multiple: true, multipleNonGreedy: true}),
}

/** --ignore's values, each repeat and comma-separated list taken apart; an unknown field is a usage error. */
export function ignoredFields(values: string[] | undefined): string[] {
  const ignore = (values ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean)
  const unknown = ignore.filter((f) => !(IGNORABLE as string[]).includes(f))
  if (unknown.length > 0) throw new UsageError(`--ignore: unknown field ${unknown.join(', ')} (use ${IGNORABLE.join(', ')})`)
  return ignore
}

export type ReadFlagValues = {platform?: string; verify: boolean; strict?: boolean; 'content-hash'?: string}
/**
 * What a command needs of its sources: reading them twice (streams are then spooled to a temp
 * file), how deep the first read goes (see ScanOptions.depth; `full` unless less will do), and
 * whether file contents are hashed (ReadOptions.contents; yes unless the command never compares them),
 * and whether an export's sha256 is (ReadOptions.exportDigest: a comparison reads it later if it must).
 */
type ReadNeeds = {reread?: boolean; depth?: ScanDepth; select?: boolean; contents?: boolean; exportDigest?: boolean}


/** ReadOptions from the read flags a command declared. */
export function readOptions(flags: ReadFlagValues, needs: ReadNeeds = {}): ReadOptions {
  return {verify: flags.verify, platform: flags.platform, strict: flags.strict, contentHash: flags['content-hash'] as ContentHash | undefined, reread: needs.reread, depth: needs.depth, select: needs.select, contents: needs.contents, exportDigest: needs.exportDigest}
}

/**
 * What every imgdiff command shares: `--json`, reading archives with progress, and errors as one
 * line on stderr with diff(1)'s exit status 2 (a stack trace only with DEBUG set).
 */
export abstract class ImgdiffCommand extends Command {
  static baseFlags = {
    json: Flags.boolean({description: 'Print the result as JSON on stdout (errors too, as {"error": {"code", "message"}}).'}),
    color: Flags.boolean({description: 'Colour the output, or not (--no-color); the flag wins over NO_COLOR and FORCE_COLOR (default: on a terminal, unless NO_COLOR is set).', allowNo: true}),
  }

  /** Colour and width for this command's output on stdout. */
  protected styleOf(flags: {color?: boolean}): Style {
    return styleFor(process.stdout, flags.color)
  }

  /** One image of each archive (--image picks it from archives that hold several). */
  protected async loadImages(paths: string[], flags: ReadFlagValues & {json?: boolean; image?: string}, needs: ReadNeeds = {}): Promise<Image[]> {
    const all = await this.readArchives(paths, flags, needs)
    return all.map((images, i) => selectImage(images, flags.image, paths[i]))
  }

  /** Two images read for a comparison (exportDigest: false) get each export's sha256 the comparison still needs. */
  protected async readExportDigests(a: Image, b: Image): Promise<void> {
    for (const image of exportDigestsNeeded(a, b)) await readExportDigest(image)
  }

  /** One image of an archive's images (see selectImage). */
  protected pick(images: Image[], wanted: string | undefined, path: string): Image {
    return selectImage(images, wanted, path)
  }

  /** Every image of each archive, the archives read at once. */
  protected async readArchives(paths: string[], flags: ReadFlagValues & {json?: boolean}, needs: ReadNeeds = {}): Promise<Image[][]> {
    const progress = Progress.forStderr(flags.json ?? false)
    try {
      const sizes = await Promise.all(paths.map(async (p) => (await stat(p).catch(() => null))?.size ?? 0))
      const plain = await Promise.all(paths.map((p) => isPlainFile(p)))
      // Archives streamed through a parser (compressed, piped, from an engine) are read on worker
      // threads, so two are parsed on two cores; plain files are read here, their bytes hashed by
      // a pool of threads anyway (formats/seek-hash.ts), their results not copied across threads.
      // One archive is always read here: stdin if it is one (a worker has no stdin), else the last.
      const here = paths.includes('-') ? paths.indexOf('-') : paths.length - 1
      return await Promise.all(
        paths.map(async (p, i) => {
          const options = {...readOptions(flags, needs), onProgress: progress.track(p, sizes[i])}
          return i === here || plain[i] ? readArchive(p, options) : readArchiveInWorker(p, options)
        }),
      )
    } finally {
      progress.finish()
    }
  }

  /** writeSafely with a "writing" progress line on a terminal (`total`: the bytes expected). */
  /** The output checks (safe-output.ts checkOutput), before anything is read. */
  protected async checkOutput(target: string, options: {force: boolean; inputs: string[]; json?: boolean}): Promise<void> {
    if (target === '-' && options.json) throw new UsageError('--json and -o - would both write to stdout; give -o FILE for the archive')
    await checkOutput(target, options)
  }

  protected async writeOutput(target: string, options: {force: boolean; inputs: string[]; json: boolean; total: number}, produce: Producer, verify: (path: string) => Promise<void>): Promise<void> {
    const progress = Progress.forStderr(options.json || target === '-', 'writing')
    try {
      await writeSafely(target, {force: options.force, inputs: options.inputs, onBytes: progress.track(target, options.total)}, produce, verify)
    } finally {
      progress.finish()
    }
  }

  /**
   * Output too big for one string (a diff of tens of thousands of paths), written a batch at a
   * time as it is made, then a newline, as `log` ends it. A reader that stops early (`| head`)
   * ends the command quietly, as it does for `log` (see catch).
   */
  protected async emit(pieces: Iterable<string>): Promise<void> {
    const out = process.stdout
    let failed: Error | undefined
    const onError = (error: Error) => {
      failed = error
    }
    out.on('error', onError)
    try {
      let batch: string[] = []
      let size = 0
      const flush = async () => {
        const text = batch.join('')
        batch = []
        size = 0
        // events.once: settles on drain or on an error, and takes both of its listeners off again.
        if (!out.write(text)) await once(out, 'drain')
        if (failed) throw failed
      }
      for (const piece of pieces) {
        batch.push(piece)
        size += piece.length
        if (size >= EMIT_BATCH) await flush()
      }
      batch.push('\n')
      await flush()
    } finally {
      out.off('error', onError)
    }
  }

  protected print(json: boolean, data: unknown, text: () => string): void {
    this.log(json ? JSON.stringify(data, null, 2) : text())
  }

  protected override async catch(err: Error & {code?: string; oclif?: {exit?: number}}): Promise<unknown> {
    // this.exit() travels as an error too: let it through untouched.
    if (err.code === 'EEXIT') throw err
    if (process.env.DEBUG) process.stderr.write(`${err.stack}\n`)
    if (err.code === 'EPIPE') this.exit(0)
    let message: string
    let code: string
    if (err instanceof ImgdiffError) {
      message = err.message
      code = err.code
    } else if (err.oclif?.exit !== undefined) {
      message = `${oneLine(err.message)} (see imgdiff ${this.id ?? ''} --help)`.replace('  ', ' ')
      code = 'usage'
    } else {
      message = `internal error: ${oneLine(err.message)} (run with DEBUG=1 for details)`
      code = 'internal'
    }
    process.stderr.write(`imgdiff: ${message}\n`)
    // With --json a script reads stdout: the error is there too, as one JSON object.
    if (this.argv.includes('--json')) process.stdout.write(JSON.stringify({error: {code, message}}) + '\n')
    this.exit(err instanceof ImgdiffError ? err.exitCode : 2)
  }
}

/** oclif's usage errors span several lines with ` ›` margins: keep their words on one line. */
function oneLine(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/^\s*›?\s*/, '').trim())
    .filter((l) => l && !/^Note: |^See more help|^Alternatively/.test(l))
    .join(' ')
    .replace(/\s+/g, ' ')
}
