/**
 * --platform on a multi-platform OCI index. No fixture holds one, so the test builds two from
 * archives other tools wrote: busybox-1.oci-gzip.tar (skopeo, linux/amd64) and the compat set's
 * oci-gzip.tar (linux/arm64), their blobs side by side under one index.json. The layout is plain
 * JSON and tar (tar-stream through test/helpers/tar.ts), nothing of src/. skopeo reads each built
 * archive first, with --override-arch: what it picks for a platform is the expected answer, and
 * it must be the image that archive's own tool recorded (docker-says.json, skopeo-says.json).
 * A flat index.json listing both manifests is read too (by the same recorded answers).
 */
import {createHash} from 'node:crypto'
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {cleanupTemps, compat, expectOneLineError, fixture, run, runJson, tempDir} from './helpers/cli.js'
import {exec} from './helpers/exec.js'
import {dockerSays, skopeoSays} from './helpers/fixtures.js'
import {packTar, readTar, type EntrySpec, type TarEntry} from './helpers/tar.js'

afterAll(cleanupTemps)

const INDEX = 'application/vnd.oci.image.index.v1+json'
const AMD64 = {os: 'linux', architecture: 'amd64'}
const ARM64 = {os: 'linux', architecture: 'arm64'}
const amd64DiffIds = dockerSays().images['busybox-1'].diffIds
const arm64DiffIds = skopeoSays()!['oci-gzip.tar'].images[0].diffIds

let flat = ''
let nested = ''

/** The blobs of an OCI archive and the descriptor its index.json names. */
async function parts(file: string): Promise<{blobs: TarEntry[]; manifest: Record<string, unknown>}> {
  const entries = await readTar(file)
  const index = JSON.parse(entries.find((e) => e.header.name.replace(/^\.\//, '') === 'index.json')!.data.toString('utf8'))
  expect(index.manifests, `${file}: one manifest in index.json`).toHaveLength(1)
  return {blobs: entries.filter((e) => /^(\.\/)?blobs\/sha256\/[0-9a-f]{64}$/.test(e.header.name)), manifest: index.manifests[0]}
}

function blob(data: Buffer): {entry: EntrySpec; digest: string; size: number} {
  const hex = createHash('sha256').update(data).digest('hex')
  return {entry: {name: `blobs/sha256/${hex}`, data}, digest: `sha256:${hex}`, size: data.length}
}

/** What skopeo picks from an OCI archive for an architecture: its config's diff_ids. */
async function skopeoPicks(file: string, arch: string): Promise<string[]> {
  const r = await exec('skopeo', ['inspect', '--config', '--override-os', 'linux', '--override-arch', arch, `oci-archive:${file}`])
  expect(r.code, `skopeo inspect ${arch}: ${r.stderr}`).toBe(0)
  const config = JSON.parse(r.stdout)
  expect(config.architecture).toBe(arch)
  return config.rootfs.diff_ids
}

beforeAll(async () => {
  const dir = tempDir('imgdiff-platform-')
  const amd = await parts(fixture('busybox-1.oci-gzip.tar'))
  const arm = await parts(compat('oci-gzip.tar'))
  // skopeo's copy names its platform in the config only: the index entry says it too, as a multi-platform index does.
  const descriptors = [
    {...amd.manifest, platform: AMD64},
    {...arm.manifest, platform: ARM64},
  ]
  const layout: EntrySpec = {name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}'}
  const json = (name: string, value: unknown): EntrySpec => ({name, data: JSON.stringify(value)})
  const blobs = [...amd.blobs, ...arm.blobs]

  // One index.json listing both platforms.
  flat = path.join(dir, 'flat.oci.tar')
  writeFileSync(flat, await packTar([layout, ...blobs, json('index.json', {schemaVersion: 2, mediaType: INDEX, manifests: descriptors})]))

  // index.json -> an image index blob -> the two manifests: what buildx and containerd write.
  const child = blob(Buffer.from(JSON.stringify({schemaVersion: 2, mediaType: INDEX, manifests: descriptors})))
  nested = path.join(dir, 'nested.oci.tar')
  const top = {schemaVersion: 2, mediaType: INDEX, manifests: [{mediaType: INDEX, digest: child.digest, size: child.size, annotations: {'org.opencontainers.image.ref.name': 'multi:latest'}}]}
  writeFileSync(nested, await packTar([layout, ...blobs, child.entry, json('index.json', top)]))
}, 60_000)

describe('--platform picks the image skopeo picks', () => {
  it('skopeo reads the nested index, per platform, as the images their tools recorded', async () => {
    // (A flat index.json of two manifests is two images to skopeo, chosen by name, not platform.)
    expect(await skopeoPicks(nested, 'amd64')).toEqual(amd64DiffIds)
    expect(await skopeoPicks(nested, 'arm64')).toEqual(arm64DiffIds)
  })

  for (const [shape, file] of [
    ['one index.json', () => flat],
    ['a nested index', () => nested],
  ] as const) {
    it(`${shape}: inspect --platform linux/arm64 and linux/amd64 take one image each`, async () => {
      const arm = await runJson(['inspect', file(), '--platform', 'linux/arm64', '--json'])
      expect(arm.images.map((i: any) => i.layers.map((l: {diffId: string}) => l.diffId))).toEqual([arm64DiffIds])
      const amd = await runJson(['inspect', file(), '--platform', 'linux/amd64', '--json'])
      expect(amd.images.map((i: any) => i.layers.map((l: {diffId: string}) => l.diffId))).toEqual([amd64DiffIds])
    })
  }

  for (const [shape, file] of [
    ['one index.json', () => flat],
    ['a nested index', () => nested],
  ] as const) {
    it(`${shape} without --platform gives linux/amd64 (the documented default)`, async () => {
      const d = await runJson(['inspect', file(), '--json'])
      expect(d.images.map((i: any) => i.layers.map((l: {diffId: string}) => l.diffId))).toEqual([amd64DiffIds])
    })
  }

  it('a platform the index does not hold: exit 2, one line', async () => {
    const r = await run(['inspect', nested, '--platform', 'linux/s390x'])
    expect(expectOneLineError(r, 'no s390x')).toMatch(/linux\/s390x/)
  })

  it('diff and rollback take --platform too: the amd64 image is busybox-1; the arm64 rollback is the arm64 image', async () => {
    const d = await runJson(['diff', nested, fixture('busybox-1.save.tar'), '--platform', 'linux/amd64', '--json'])
    expect(d.summary.identical).toBe(true)
    expect(d.a.layers.map((l: {diffId: string}) => l.diffId)).toEqual(amd64DiffIds)
    const out = path.join(tempDir(), 'arm.tar')
    await runJson(['rollback', flat, '--platform', 'linux/arm64', '--to', '1', '-o', out, '--json'])
    // skopeo reads what was written: an arm64 image of the arm64 layer.
    expect(await skopeoPicks(out, 'arm64')).toEqual(arm64DiffIds.slice(0, 1))
  })
})
