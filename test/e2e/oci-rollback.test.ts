/**
 * Rollback keeps the input's family. skopeo, an independent reader, must find in the output what
 * the cut-back image should hold: the OCI manifest (or Docker 25+'s manifest.json view) naming
 * the same layer digests as the source's first layers and a config whose digest is the image id.
 * CI installs skopeo (.ci/run); without it this suite says loudly that it did not run.
 */
import {execFile} from 'node:child_process'
import {existsSync} from 'node:fs'
import path from 'node:path'
import {promisify} from 'node:util'
import {afterAll, describe, expect, it} from 'vitest'
import {cleanupTemps, compat, fixture, runJson, tempDir} from '../helpers/cli.js'

const exec = promisify(execFile)
const skopeo = ['/usr/bin/skopeo', '/usr/local/bin/skopeo'].find((p) => existsSync(p))
const required = process.env.IMGDIFF_ENGINE_TESTS === '1'

afterAll(() => cleanupTemps())

async function skopeoJson(args: string[]): Promise<any> {
  const {stdout} = await exec(skopeo!, args, {maxBuffer: 64 * 1024 * 1024})
  return JSON.parse(stdout)
}

if (!skopeo && !required) {
  describe('rollback output read by skopeo', () => {
    it.skip('SKOPEO SUITE NOT RUN: skopeo is not installed (apt-get install skopeo; CI installs it)', () => {})
  })
} else {
  describe('rollback output read by skopeo', () => {
    const cases = [
      {name: 'OCI gzip', source: fixture('busybox-1.oci-gzip.tar'), transport: 'oci-archive'},
      {name: 'OCI zstd', source: fixture('busybox-1.oci-zstd.tar'), transport: 'oci-archive'},
      {name: 'Docker 25+ (OCI view)', source: compat('hello-world-v25.tar'), transport: 'oci-archive'},
      {name: 'Docker 25+ (manifest.json view)', source: compat('hello-world-v25.tar'), transport: 'docker-archive'},
    ]
    for (const c of cases) {
      it(`${c.name}: skopeo reads the cut-back image`, async () => {
        expect(skopeo, 'skopeo must be installed when IMGDIFF_ENGINE_TESTS=1').toBeTruthy()
        const dir = tempDir('imgdiff-oci-')
        const out = path.join(dir, 'out.tar')
        const source = (await runJson(['inspect', c.source, '--json'])).images[0]
        const done = await runJson(['rollback', c.source, '--to', '1', '-o', out, '--json'])
        const raw = await skopeoJson(['inspect', '--raw', `${c.transport}:${out}`])
        if (c.transport === 'oci-archive') {
          expect(raw.mediaType).toBe('application/vnd.oci.image.manifest.v1+json')
          expect(raw.config.digest).toBe(done.imageId)
          expect(raw.layers.map((l: {digest: string}) => l.digest)).toEqual(source.layers.slice(0, 1).map((l: {digest: string}) => l.digest))
        }
        const config = await skopeoJson(['inspect', '--config', `${c.transport}:${out}`])
        expect(config.rootfs.diff_ids).toEqual(source.layers.slice(0, 1).map((l: {diffId: string}) => l.diffId))
        expect(config.history).toHaveLength(1)
      }, 60_000)
    }
  })
}
