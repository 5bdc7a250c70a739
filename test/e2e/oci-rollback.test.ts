/**
 * Rollback keeps the input's family. skopeo, an independent reader, is both the judge and the
 * source of the expected answer: it reads the SOURCE archive (manifest, config bytes), and for
 * EVERY step n of the source's history, the archive `rollback --to n` writes must read, through
 * skopeo, as the source's first n history entries with exactly the layers those entries made
 * (same layer digests and sizes in the manifest, same diff_ids in the config), a config whose
 * digest is the sha256 of its bytes and the image id imgdiff reports, and, at the last step, the
 * source's own config. Nothing expected comes from imgdiff's reading of the source.
 * CI installs skopeo (.ci/run); without it this suite says loudly that it did not run.
 */
import {execFile} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync} from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'
import {afterAll, describe, expect, it} from 'vitest'
import {cleanupTemps, compat, fixture, runJson, tempDir} from '../helpers/cli.js'

const exec = promisify(execFile)
const skopeo = ['/usr/bin/skopeo', '/usr/local/bin/skopeo'].find((p) => existsSync(p))
const required = process.env.IMGDIFF_ENGINE_TESTS === '1'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

afterAll(() => cleanupTemps())

async function skopeoOut(args: string[]): Promise<Buffer> {
  const {stdout} = await exec(skopeo!, args, {encoding: 'buffer', maxBuffer: 64 * 1024 * 1024})
  return stdout
}

/** An image as skopeo reads it: its manifest, and its config's exact bytes and content. */
interface SkopeoImage {
  manifest: any
  configDigest: string
  config: any
}

async function skopeoImage(ref: string): Promise<SkopeoImage> {
  const manifest = JSON.parse((await skopeoOut(['inspect', '--raw', ref])).toString('utf8'))
  const configBytes = await skopeoOut(['inspect', '--config', '--raw', ref])
  return {manifest, configDigest: `sha256:${createHash('sha256').update(configBytes).digest('hex')}`, config: JSON.parse(configBytes.toString('utf8'))}
}

/** What an image holds, as far as a rollback must keep it; media types only where both were read alike. */
function shape(image: SkopeoImage, withMediaTypes: boolean) {
  return {
    history: image.config.history ?? [],
    diffIds: image.config.rootfs?.diff_ids ?? [],
    layers: (image.manifest.layers ?? []).map((l: any) => (withMediaTypes ? {mediaType: l.mediaType, digest: l.digest, size: l.size} : {digest: l.digest, size: l.size})),
  }
}

/** The source as it was at step n: its first n history entries and the layers they made. */
function stepOf(source: ReturnType<typeof shape>, n: number): ReturnType<typeof shape> {
  const history = source.history.slice(0, n)
  const layers = history.filter((h: any) => !h.empty_layer).length
  return {history, diffIds: source.diffIds.slice(0, layers), layers: source.layers.slice(0, layers)}
}

if (!skopeo && !required) {
  describe('rollback output read by skopeo', () => {
    it.skip('SKOPEO SUITE NOT RUN: skopeo is not installed (apt-get install skopeo; CI installs it)', () => {})
  })
} else {
  describe('rollback output read by skopeo', () => {
    // `from`: how skopeo reads the source. Docker 25+'s index.json names no manifest
    // ("manifests": null), so skopeo reads that source only through its manifest.json.
    const cases = [
      {name: 'OCI gzip', source: fixture('busybox-1.oci-gzip.tar'), from: 'oci-archive', transport: 'oci-archive'},
      {name: 'OCI zstd', source: fixture('busybox-1.oci-zstd.tar'), from: 'oci-archive', transport: 'oci-archive'},
      {name: 'Docker 25+ (OCI view)', source: compat('hello-world-v25.tar'), from: 'docker-archive', transport: 'oci-archive'},
      {name: 'Docker 25+ (manifest.json view)', source: compat('hello-world-v25.tar'), from: 'docker-archive', transport: 'docker-archive'},
    ]
    for (const c of cases) {
      it(`${c.name}: skopeo reads every cut-back step as the source's first steps`, async () => {
        expect(skopeo, 'skopeo must be installed when IMGDIFF_ENGINE_TESTS=1').toBeTruthy()
        const dir = tempDir('imgdiff-oci-')
        const sourceImage = await skopeoImage(`${c.from}:${c.source}`)
        // skopeo's media types for a docker-archive are its own labels, so they are compared only
        // when the output is read through the same transport as the source.
        const source = shape(sourceImage, c.from === c.transport)
        const steps = source.history.length
        expect(steps, `history entries skopeo reads in ${c.source}`).toBeGreaterThan(1)
        for (let n = 1; n <= steps; n++) {
          const at = `${c.name}, --to ${n} of ${steps}`
          const out = path.join(dir, `step${n}.tar`)
          const done = await runJson(['rollback', c.source, '--to', String(n), '-o', out, '--json'])
          const image = await skopeoImage(`${c.transport}:${out}`)
          if (c.transport === 'oci-archive') expect(image.manifest.mediaType, `${at}: manifest media type`).toBe(OCI_MANIFEST)
          expect(shape(image, c.from === c.transport), `${at}: history, diff_ids and layers as skopeo reads them`).toEqual(stepOf(source, n))
          expect(image.manifest.config.digest, `${at}: the manifest's config digest is the sha256 of the config bytes`).toBe(image.configDigest)
          expect(done.imageId, `${at}: the image id imgdiff reports`).toBe(image.configDigest)
          // The last step is the whole image: nothing to replay, so the source's config unchanged.
          if (n === steps) expect(image.configDigest, `${at}: the source's own config`).toBe(sourceImage.configDigest)
        }
      }, 120_000)
    }
  })
}
