/**
 * One image, many containers: whole-archive gzip/zstd/xz/bzip2 (what `docker load` undoes) and
 * skopeo's OCI layout copies with gzip and zstd layers. Layers are compared by diff_id (sha256 of
 * the uncompressed tar), so every one of them is the same image as busybox-1.save.tar.
 */
import {describe, expect, it} from 'vitest'
import {fixture, runJson} from './helpers/cli.js'
import {dockerSays} from './helpers/fixtures.js'

const busybox1 = dockerSays().images['busybox-1']

describe('busybox-1.save.tar is the same image in every container', () => {
  for (const other of [
    'busybox-1.save.tar.gz',
    'busybox-1.save.tar.zst',
    'busybox-1.save.tar.xz',
    'busybox-1.save.tar.bz2',
    'busybox-1.oci-gzip.tar',
    'busybox-1.oci-zstd.tar',
  ]) {
    it(other, async () => {
      const d = await runJson([fixture('busybox-1.save.tar'), fixture(other), '--json'])
      expect(d.summary.identical, JSON.stringify(d.summary)).toBe(true)
      expect(d.files).toEqual([])
      expect(d.layers.length).toBe(busybox1.diffIds.length)
      for (const l of d.layers) expect(l.status, `layer ${l.index + 1}`).toBe('same')
      expect(d.b.layers.map((l: {diffId: string}) => l.diffId)).toEqual(busybox1.diffIds)
      expect(d.b.kind).toBe('image')
    })
  }
})
