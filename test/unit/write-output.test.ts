/**
 * How outputs reach the disk (src/write: safe-output, byte-sink, verify, unpack-time): a temp file
 * beside the target, verified, renamed; nothing left behind on failure; refusals before any work.
 * Judged by the filesystem afterwards (what exists, what it holds), read with node:fs and zlib.
 */
import {closeSync, linkSync, openSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {gunzipSync} from 'node:zlib'
import {afterAll, afterEach, describe, expect, it, vi} from 'vitest'
import {ImgdiffError, UsageError} from '../../src/errors.js'
import {FlatFs} from '../../src/image/flatten.js'
import {FileSink} from '../../src/write/byte-sink.js'
import {writeImageArchive} from '../../src/write/image-archive.js'
import {checkOutput, outputCompression, type Producer, writeSafely} from '../../src/write/safe-output.js'
import {unpackTime} from '../../src/write/unpack-time.js'
import {verifyWritten} from '../../src/write/verify.js'
import {type WrittenLayer} from '../../src/write/layer-check.js'
import {rollbackImage} from '../../src/image/rollback.js'
import {stepsOf} from '../../src/image/steps.js'
import {writeRootfs} from '../../src/write/rootfs.js'
import {cleanup, dockerSays, fixture, readImage, sha256, tempDir} from './support.js'

afterAll(cleanup)
afterEach(() => {
  vi.unstubAllEnvs()
  vi.restoreAllMocks()
})

const bytesOf = (text: string): Producer => async (sink) => sink.write(Buffer.from(text))
const noCheck = async () => undefined
const options = {force: false, inputs: [] as string[]}

describe('outputCompression: by the name, gzip or plain; other promises refused', () => {
  it('names', () => {
    expect(['a.tar.gz', 'a.tgz', 'A.TAR.GZ', 'x.gz'].map(outputCompression)).toEqual(['gzip', 'gzip', 'gzip', 'gzip'])
    expect(['a.tar', 'a', 'a.gzip', 'a.tar.gz.bak', 'gz', 'img.xz.tar', 'a.zst.d/x.tar'].map(outputCompression)).toEqual(['none', 'none', 'none', 'none', 'none', 'none', 'none'])
    expect(() => outputCompression('a.tarball.zst')).toThrow('-o a.tarball.zst: imgdiff writes plain tars and gzip (.gz); write a.tarball.tar and compress it, or use a.tarball.tar.gz')
    expect(() => outputCompression('out.tar.zst')).toThrow('-o out.tar.zst: imgdiff writes plain tars and gzip (.gz); write out.tar and compress it, or use out.tar.gz')
    for (const name of ['a.zstd', 'a.tar.xz', 'a.bz2', 'a.tbz', 'a.tbz2', 'a.txz', 'a.lz4', 'A.TAR.XZ']) expect(() => outputCompression(name), name).toThrow(UsageError)
    expect(() => outputCompression('dir/img.TXZ')).toThrow(/write dir\/img\.tar and compress it, or use dir\/img\.tar\.gz$/)
  })
})

describe('checkOutput: refusals before anything is read', () => {
  it('an existing file needs --force; a directory, a missing directory and an input never do', async () => {
    const dir = tempDir()
    const existing = path.join(dir, 'out.tar')
    writeFileSync(existing, 'old')
    await expect(checkOutput(existing, options)).rejects.toThrow(`${existing} already exists (use --force to replace it)`)
    await expect(checkOutput(existing, {force: true, inputs: []})).resolves.toBeUndefined()
    await expect(checkOutput(dir, {force: true, inputs: []})).rejects.toThrow(`-o ${dir} is a directory; give a file name to write`)
    const missing = path.join(dir, 'nope', 'out.tar')
    await expect(checkOutput(missing, options)).rejects.toThrow(`cannot write ${missing}: the directory ${path.join(dir, 'nope')} does not exist`)
    const inFile = path.join(dir, 'file', 'out.tar')
    writeFileSync(path.join(dir, 'file'), '')
    await expect(checkOutput(inFile, options)).rejects.toThrow(/the directory .* does not exist/)
    await expect(checkOutput(path.join(dir, 'new.tar'), options)).resolves.toBeUndefined()
    await expect(checkOutput(path.join(dir, 'new.tar.xz'), options)).rejects.toThrow(UsageError)
  })

  it('the target may not be one of the inputs, by name, symlink or hard link, even with --force', async () => {
    const dir = tempDir()
    const input = path.join(dir, 'in.tar')
    writeFileSync(input, 'input bytes')
    await expect(checkOutput(input, {force: true, inputs: [input]})).rejects.toThrow(`-o ${input} is one of the inputs; refusing to overwrite it`)
    const link = path.join(dir, 'link.tar')
    symlinkSync(input, link)
    await expect(checkOutput(link, {force: true, inputs: [input]})).rejects.toThrow(`-o ${link} is one of the inputs (the same file as ${input}); refusing to overwrite it`)
    const hard = path.join(dir, 'hard.tar')
    linkSync(input, hard)
    await expect(checkOutput(input, {force: true, inputs: [path.join(dir, 'missing.tar'), hard]})).rejects.toThrow(`(the same file as ${hard})`)
    const other = path.join(dir, 'other.tar')
    writeFileSync(other, 'x')
    await expect(checkOutput(other, {force: true, inputs: [input, path.join(dir, 'missing.tar')]})).resolves.toBeUndefined()
    expect(readFileSync(input, 'utf8')).toBe('input bytes')
  })

  it('`-` is stdout, refused when it is a terminal', async () => {
    const tty = process.stdout.isTTY
    try {
      ;(process.stdout as {isTTY?: boolean}).isTTY = true
      await expect(checkOutput('-', options)).rejects.toThrow('refusing to write an archive to a terminal; redirect it (> FILE, | docker load) or use -o FILE')
      ;(process.stdout as {isTTY?: boolean}).isTTY = false
      await expect(checkOutput('-', options)).resolves.toBeUndefined()
    } finally {
      ;(process.stdout as {isTTY?: boolean}).isTTY = tty
    }
  })
})

describe('writeSafely: complete and verified, or nothing', () => {
  // First in this file: the handlers are installed by the first write of the module, and only
  // the test that makes it is known (to mutation testing) to reach that code.
  it('installs its signal handlers once; a signal removes the temp files and exits as the shell expects', async () => {
    const dir = tempDir()
    const before = process.listenerCount('SIGTERM')
    await writeSafely(path.join(dir, 'a.tar'), options, bytesOf('a'), noCheck)
    const after = process.listenerCount('SIGTERM')
    expect(after - before).toBeLessThanOrEqual(1)
    await writeSafely(path.join(dir, 'b.tar'), options, bytesOf('b'), noCheck)
    expect(process.listenerCount('SIGTERM')).toBe(after)
    expect(process.listenerCount('SIGINT')).toBeGreaterThan(0)
    expect(process.listenerCount('SIGHUP')).toBeGreaterThan(0)
    const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never)
    const said = vi.spyOn(process.stderr, 'write').mockImplementation(() => true)
    let release!: () => void
    const target = path.join(dir, 'c.tar')
    const writing = writeSafely(target, options, async (sink) => {
      sink.write(Buffer.from('partial'))
      await new Promise<void>((resolve) => (release = resolve))
    }, noCheck).catch((error: unknown) => error)
    await vi.waitFor(() => expect(release).toBeDefined())
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp')).length).toBe(1)
    process.emit('SIGTERM', 'SIGTERM')
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([])
    expect(exit).toHaveBeenCalledWith(143)
    expect(said).toHaveBeenCalledWith('\nimgdiff: interrupted (SIGTERM); no output was written\n')
    process.emit('SIGINT', 'SIGINT')
    expect(exit).toHaveBeenLastCalledWith(130)
    release()
    expect(await writing).toBeInstanceOf(ImgdiffError)
    expect(readdirSync(dir).sort()).toEqual(['a.tar', 'b.tar'])
  })

  it('writes a plain file through a temp file beside it, verified before the rename', async () => {
    const dir = tempDir()
    const target = path.join(dir, 'out.tar')
    const heard: number[] = []
    let verified = ''
    await writeSafely(target, {...options, onBytes: (n) => heard.push(n)}, async (sink) => {
      expect(sink.synchronous).toBe(true)
      sink.write(Buffer.from('abc'))
      sink.write(Buffer.from('de'))
      expect(readdirSync(dir)).toEqual([expect.stringMatching(/^\.out\.tar\.imgdiff-[0-9a-f]{8}\.tmp$/)])
    }, async (temp) => {
      verified = temp
      expect(readFileSync(temp, 'utf8')).toBe('abcde')
      expect(path.dirname(temp)).toBe(dir)
    })
    expect(readFileSync(target, 'utf8')).toBe('abcde')
    expect(readdirSync(dir)).toEqual(['out.tar'])
    expect(heard).toEqual([3, 5])
    expect(verified).not.toBe(target)
  })

  it('gzip for a .gz name, with the compressed bytes counted', async () => {
    const dir = tempDir()
    const target = path.join(dir, 'out.tar.gz')
    const heard: number[] = []
    await writeSafely(target, {...options, onBytes: (n) => heard.push(n)}, async (sink) => {
      expect(sink.synchronous).toBe(false)
      sink.write(Buffer.alloc(100_000, 'a'))
      await sink.drained()
    }, noCheck)
    const gz = readFileSync(target)
    expect(gunzipSync(gz).equals(Buffer.alloc(100_000, 'a'))).toBe(true)
    expect(heard.at(-1)).toBe(gz.length)
    await writeSafely(path.join(dir, 'quiet.tgz'), options, bytesOf('x'), noCheck)
    expect(gunzipSync(readFileSync(path.join(dir, 'quiet.tgz'))).toString()).toBe('x')
  })

  it('a failure of the writer or of the check leaves nothing behind, and says why in one line', async () => {
    const dir = tempDir()
    const target = path.join(dir, 'out.tar')
    await expect(writeSafely(target, options, async () => {
      throw new Error('disk on fire')
    }, noCheck)).rejects.toThrow(new ImgdiffError(`cannot write ${target}: disk on fire`))
    await expect(writeSafely(target, options, bytesOf('x'), async () => {
      throw new ImgdiffError('the archive just written does not read back')
    })).rejects.toThrow(/^the archive just written does not read back$/)
    const full = Object.assign(new Error('ENOSPC: no space left on device, write'), {code: 'ENOSPC'})
    await expect(writeSafely(target, options, async () => {
      throw full
    }, noCheck)).rejects.toThrow(`cannot write ${target}: no space left on device`)
    await expect(writeSafely(path.join(dir, 'out.tar.gz'), options, async () => {
      throw new Error('gzip side')
    }, noCheck)).rejects.toThrow(`cannot write ${path.join(dir, 'out.tar.gz')}: gzip side`)
    expect(readdirSync(dir)).toEqual([])
    // An existing target is refused before the writer runs.
    writeFileSync(target, 'keep')
    const produce = vi.fn(bytesOf('new'))
    await expect(writeSafely(target, options, produce, noCheck)).rejects.toThrow(/already exists/)
    expect(produce).not.toHaveBeenCalled()
    await writeSafely(target, {force: true, inputs: []}, produce, noCheck)
    expect(readFileSync(target, 'utf8')).toBe('new')
  })
})

describe('`-`: standard output', () => {
  it('streams to stdout, unverified, with nothing renamed', async () => {
    const chunks: Buffer[] = []
    vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: Buffer) => {
      chunks.push(Buffer.from(chunk))
      return true
    }) as typeof process.stdout.write)
    const tty = process.stdout.isTTY
    ;(process.stdout as {isTTY?: boolean}).isTTY = false
    const verify = vi.fn(noCheck)
    try {
      await writeSafely('-', options, async (sink) => {
        expect(sink.synchronous).toBe(false)
        sink.write(Buffer.from('to stdout'))
      }, verify)
    } finally {
      ;(process.stdout as {isTTY?: boolean}).isTTY = tty
    }
    expect(Buffer.concat(chunks).toString()).toBe('to stdout')
    expect(verify).not.toHaveBeenCalled()
  })
})

describe('FileSink: synchronous writes to a descriptor', () => {
  it('writes every byte, in order, and counts them; small writes go out together, by flush at the latest', () => {
    const file = path.join(tempDir(), 'f')
    const fd = openSync(file, 'w')
    const heard: number[] = []
    const sink = new FileSink(fd, (n) => heard.push(n))
    sink.write(Buffer.from('hello '))
    sink.write(Buffer.alloc(1 << 20, 'x'))
    const small = Buffer.from(' and a header')
    sink.write(small)
    // The caller's buffer is free when write returns (synchronous): changing it changes nothing written.
    small.fill('!')
    // 300 small writes, more than one gathering's worth (128 KB) in all.
    for (let i = 0; i < 300; i++) sink.write(Buffer.alloc(512, i % 256))
    sink.flush()
    closeSync(fd)
    const total = 6 + (1 << 20) + 13 + 300 * 512
    expect(sink.written).toBe(total)
    expect(heard.at(-1)).toBe(total)
    expect(heard.slice(0, 3)).toEqual([6, 6 + (1 << 20), 6 + (1 << 20) + 13])
    expect(sink.drained()).toBeUndefined()
    expect(sink.synchronous).toBe(true)
    const back = readFileSync(file)
    expect(back.length).toBe(total)
    expect(back.subarray(0, 7).toString()).toBe('hello x')
    expect(back.subarray(6 + (1 << 20), 6 + (1 << 20) + 13).toString()).toBe(' and a header')
    for (let i = 0; i < 300; i++) expect(back[6 + (1 << 20) + 13 + i * 512 + 511], `write ${i}`).toBe(i % 256)
    const quiet = new FileSink(openSync(path.join(tempDir(), 'g'), 'w'))
    quiet.write(Buffer.from('a'))
    expect(quiet.written).toBe(1)
  })
})

describe('verifyWritten: the archive just written reads back as what was planned', () => {
  async function rolledBack(dir: string) {
    const image = await readImage(fixture('busybox-1.save.tar'))
    const r = rollbackImage(image, stepsOf(image)[1], {configMode: 'keep'})
    const target = path.join(dir, 'out.tar')
    const hashes = new Map<string, WrittenLayer>()
    await writeSafely(target, options, writeImageArchive(image, r, 'docker-save', hashes), noCheck)
    return {image, r, target, hashes}
  }

  it('accepts the image as planned: Docker\'s diff_ids, the id, the bytes as hashed on the way', async () => {
    const {r, target, hashes} = await rolledBack(tempDir())
    const diffIds = dockerSays().images['busybox-1'].diffIds
    await expect(verifyWritten(target, {diffIds, imageId: r.imageId, kind: 'image'})).resolves.toBeUndefined()
    await expect(verifyWritten(target, {diffIds, imageId: r.imageId, kind: 'image'}, {layers: r.layers, written: hashes, diffIds: true})).resolves.toBeUndefined()
    await expect(verifyWritten(target, {kind: 'image'})).resolves.toBeUndefined()
  })

  it('refuses other layers, another id, another kind, other sizes, bytes that changed on the way', async () => {
    const {r, target, hashes} = await rolledBack(tempDir())
    const diffIds = dockerSays().images['busybox-1'].diffIds
    const mismatch = 'the archive just written does not match what was planned (layers or image id differ); nothing was written'
    await expect(verifyWritten(target, {diffIds: [diffIds[0]], kind: 'image'})).rejects.toThrow(mismatch)
    await expect(verifyWritten(target, {diffIds: [diffIds[1], diffIds[0]], kind: 'image'})).rejects.toThrow(mismatch)
    await expect(verifyWritten(target, {diffIds: [...diffIds, diffIds[0]], kind: 'image'})).rejects.toThrow(mismatch)
    await expect(verifyWritten(target, {diffIds: [diffIds[0], sha256('other')], kind: 'image'})).rejects.toThrow(mismatch)
    await expect(verifyWritten(target, {diffIds, kind: 'image'}, {layers: [r.layers[0], {...r.layers[1], size: r.layers[1].size + 1}], written: hashes, diffIds: true})).rejects.toThrow(mismatch)
    await expect(verifyWritten(target, {diffIds, kind: 'image'}, {layers: [r.layers[0]], written: hashes, diffIds: true})).rejects.toThrow(mismatch)
    await expect(verifyWritten(target, {diffIds, imageId: sha256('other'), kind: 'image'})).rejects.toThrow(mismatch)
    await expect(verifyWritten(target, {kind: 'export'})).rejects.toThrow(mismatch)
    await expect(verifyWritten(target, {diffIds, kind: 'image'}, {layers: r.layers.map((l) => ({...l, size: l.size + 1})), written: hashes, diffIds: true})).rejects.toThrow(mismatch)
    await expect(verifyWritten(target, {diffIds, kind: 'image'}, {layers: [...r.layers, r.layers[0]], written: hashes, diffIds: true})).resolves.toBeUndefined()
    const changed = new Map(hashes)
    changed.set(r.layers[1].member!, {digest: sha256('something else'), diffId: sha256('something else')})
    await expect(verifyWritten(target, {diffIds, kind: 'image'}, {layers: r.layers, written: changed, diffIds: true})).rejects.toThrow(`layer ${r.layers[1].diffId} changed while it was copied (the source archive changed?); nothing was written`)
    const gone = new Map(hashes)
    gone.delete(r.layers[1].member!)
    await expect(verifyWritten(target, {diffIds, kind: 'image'}, {layers: r.layers, written: gone, diffIds: true})).rejects.toThrow(`layer 2 (${r.layers[1].diffId}) was not copied; nothing was written`)
  })

  it('a layer read only as far as its config (no digest yet) is verified by the diff_id its copy hashed to, unless --no-verify', async () => {
    const {r, target, hashes} = await rolledBack(tempDir())
    const diffIds = dockerSays().images['busybox-1'].diffIds
    const unread = r.layers.map((l) => ({...l, digest: ''}))
    await expect(verifyWritten(target, {diffIds, kind: 'image'}, {layers: unread, written: hashes, diffIds: true})).resolves.toBeUndefined()
    const bad = new Map(hashes)
    bad.set(r.layers[0].member!, {digest: sha256('x'), diffId: sha256('x')})
    const message = `layer 1 '${r.layers[0].member}' has diff_id ${sha256('x')} but the config says ${diffIds[0]} (corrupted? --no-verify skips this check); nothing was written`
    await expect(verifyWritten(target, {diffIds, kind: 'image'}, {layers: unread, written: bad, diffIds: true})).rejects.toThrow(message)
    await expect(verifyWritten(target, {diffIds, kind: 'image'}, {layers: unread, written: bad, diffIds: false})).resolves.toBeUndefined()
  })

  it('a file that is no archive does not read back; a rootfs tar reads back as an export', async () => {
    const dir = tempDir()
    const junk = path.join(dir, 'junk.tar')
    writeFileSync(junk, Buffer.alloc(1000, 1))
    await expect(verifyWritten(junk, {kind: 'export'})).rejects.toThrow(/^the archive just written does not read back \(.+\); nothing was written$/)
    const image = await readImage(fixture('busybox-1.save.tar'))
    const flat = path.join(dir, 'flat.tar')
    await writeSafely(flat, options, writeRootfs(image, FlatFs.of(image.layers), {unpackTime: 0}), noCheck)
    await expect(verifyWritten(flat, {kind: 'export'})).resolves.toBeUndefined()
    await expect(verifyWritten(flat, {kind: 'image'})).rejects.toThrow(/does not match what was planned/)
  })
})

describe('unpackTime: now, or SOURCE_DATE_EPOCH for reproducible output', () => {
  it('reads SOURCE_DATE_EPOCH when it is a whole number of seconds', () => {
    vi.stubEnv('SOURCE_DATE_EPOCH', '1577836800')
    expect(unpackTime()).toBe(1_577_836_800)
    vi.stubEnv('SOURCE_DATE_EPOCH', '0')
    expect(unpackTime()).toBe(0)
    const now = Math.floor(Date.now() / 1000)
    for (const bad of ['', 'soon', '1.5', '1e400']) {
      vi.stubEnv('SOURCE_DATE_EPOCH', bad)
      expect(Math.abs(unpackTime() - now), bad).toBeLessThanOrEqual(2)
      expect(Number.isInteger(unpackTime())).toBe(true)
    }
    vi.stubEnv('SOURCE_DATE_EPOCH', undefined)
    expect(Math.abs(unpackTime() - now)).toBeLessThanOrEqual(2)
  })
})
