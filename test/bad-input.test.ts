/**
 * Input imgdiff cannot use: exit 2, one line on stderr that says what is wrong, no stack trace,
 * and the input files untouched.
 */
import {copyFileSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {gzipSync} from 'node:zlib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {cleanupTemps, expectOneLineError, fixture, run, sha256File, tempDir} from './helpers/cli.js'
import {alterFirstFileByte, packTar, readTar, type TarEntry} from './helpers/tar.js'

afterAll(cleanupTemps)

const SAVE = fixture('busybox-1.save.tar')
let dir = ''
let manifestLayers: string[] = []
const files: Record<string, string> = {}

beforeAll(async () => {
  dir = tempDir()
  const bytes = readFileSync(SAVE)
  const entries = await readTar(bytes)
  const manifest = JSON.parse(entries.find((e) => e.header.name === 'manifest.json')!.data.toString('utf8'))
  manifestLayers = manifest[0].Layers
  expect(manifestLayers.length).toBe(2)

  files.empty = path.join(dir, 'empty.tar')
  writeFileSync(files.empty, '')
  files.text = path.join(dir, 'notes.txt')
  writeFileSync(files.text, 'These are notes, not an image archive.\n'.repeat(60))
  files.truncated = path.join(dir, 'truncated.tar')
  writeFileSync(files.truncated, bytes.subarray(0, Math.floor(bytes.length / 2)))
  files.truncatedGz = path.join(dir, 'truncated.tar.gz')
  writeFileSync(files.truncatedGz, gzipSync(bytes.subarray(0, Math.floor(bytes.length / 2))))
  // The second layer named by manifest.json is left out.
  files.missingLayer = path.join(dir, 'missing-layer.tar')
  writeFileSync(files.missingLayer, await packTar(entries.filter((e) => e.header.name !== manifestLayers[1])))
  // One content byte of the first layer flipped: still a valid tar, another sha256.
  files.altered = path.join(dir, 'altered-layer.tar')
  const altered: TarEntry[] = entries.map((e) => (e.header.name === manifestLayers[0] ? {header: e.header, data: alterFirstFileByte(e.data)} : e))
  writeFileSync(files.altered, await packTar(altered))
  files.copy = path.join(dir, 'busybox-1.copy.tar')
  copyFileSync(SAVE, files.copy)
})

/** Run, check the one-line error, and that no input changed. */
async function failsClearly(args: string[], inputs: string[], what: string): Promise<string> {
  const before = inputs.map((f) => sha256File(f))
  const r = await run(args)
  const line = expectOneLineError(r, what)
  expect(inputs.map((f) => sha256File(f)), `${what}: an input file was modified`).toEqual(before)
  return line
}

describe('bad input: exit 2, one clear line', () => {
  it('a missing file', async () => {
    const missing = path.join(dir, 'no-such-file.tar')
    const line = await failsClearly([missing, SAVE], [SAVE], 'missing file')
    expect(line).toContain('no-such-file.tar')
    expect(line).toMatch(/no such file|not found|does not exist|ENOENT|cannot (open|read)/i)
  })

  it('an empty file', async () => {
    const line = await failsClearly(['inspect', files.empty], [files.empty], 'empty file')
    expect(line).toContain('empty.tar')
    expect(line).toMatch(/empty|0 bytes/i)
  })

  it('a text file', async () => {
    const line = await failsClearly([files.text, SAVE], [files.text, SAVE], 'text file')
    expect(line).toContain('notes.txt')
    expect(line).toMatch(/not an? (tar|archive|image)|not a tar/i)
    expect(line).not.toMatch(/truncated/i)
  })

  it('a text file shorter than one tar block', async () => {
    const small = path.join(dir, 'short.txt')
    writeFileSync(small, 'hello\n')
    const line = await failsClearly(['inspect', small], [small], 'short text file')
    expect(line).toMatch(/not an? (tar|archive|image)|not a tar/i)
  })

  it('busybox-1.save.tar cut at half its size', async () => {
    const line = await failsClearly([files.truncated, SAVE], [files.truncated, SAVE], 'truncated tar')
    expect(line).toContain('truncated.tar')
    expect(line).toMatch(/truncated|ends (early|inside|before)|unexpected end/i)
  })

  it('a gzip of the cut tar', async () => {
    const line = await failsClearly(['inspect', files.truncatedGz], [files.truncatedGz], 'gzip of truncated tar')
    expect(line).toContain('truncated.tar.gz')
    expect(line).toMatch(/truncated|ends (early|inside|before)|unexpected end/i)
  })

  it('manifest.json names a layer that is not in the archive', async () => {
    const line = await failsClearly([SAVE, files.missingLayer], [SAVE, files.missingLayer], 'missing layer')
    expect(line).toContain(manifestLayers[1])
    expect(line).toMatch(/not in the archive|missing|not found|no such/i)
  })

  it("a layer whose bytes no longer match its diff_id: the message names the layer", async () => {
    const line = await failsClearly([SAVE, files.altered], [SAVE, files.altered], 'altered layer')
    expect(line).toContain(manifestLayers[0].split('/')[0])
    expect(line).toMatch(/diff_?id|digest|checksum|sha256/i)
  })

  it('--no-verify reads the altered archive (exit 0)', async () => {
    const before = sha256File(files.altered)
    const inspect = await run(['inspect', '--no-verify', '--json', files.altered])
    expect(inspect.code, inspect.stderr).toBe(0)
    expect(JSON.parse(inspect.stdout).images).toHaveLength(1)
    const diff = await run([SAVE, files.altered, '--no-verify'])
    expect(diff.code, diff.stderr).toBe(0)
    expect(sha256File(files.altered)).toBe(before)
  })

  it('--image nosuch:tag on an archive of several images', async () => {
    // Archives holding one image ignore --image (its flag help says so): ask the multi-image one.
    const multi = fixture('busybox-multi.save.tar')
    const line = await failsClearly([multi, files.copy, '--image', 'nosuch:tag'], [multi, files.copy], '--image nosuch:tag')
    expect(line).toContain('nosuch:tag')
  })

  it('`diff` with one argument', async () => {
    const line = await failsClearly(['diff', SAVE], [SAVE], 'diff with one argument')
    expect(line).toMatch(/missing|argument|two archives|expects 2|required/i)
  })

  it('one archive and no command (the bin routes it to diff)', async () => {
    const line = await failsClearly([SAVE], [SAVE], 'one archive, no command')
    expect(line).toMatch(/missing|argument|two archives|expects 2|required/i)
  })
})
