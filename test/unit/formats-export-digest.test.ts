/**
 * src/formats/export-digest.ts: an export read without its sha256 gets it in a second pass, and
 * that pass refuses bytes that are not the ones the first read saw. Judged by node:crypto over
 * the fixture's bytes.
 */
import {copyFileSync, readFileSync, truncateSync} from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {readExportDigest} from '../../src/formats/export-digest.js'
import {readArchive} from '../../src/formats/read.js'
import {cleanup, fixture, sha256, tempDir} from './support.js'

afterAll(cleanup)

const read = async (file: string) => (await readArchive(file, {verify: true, exportDigest: false}))[0]

describe('readExportDigest: the sha256 of an export read without it', () => {
  it('is null after the first read, then the sha256 of the tar; an image is left alone', async () => {
    const exp = await read(fixture('busybox-1.export.tar'))
    expect(exp.layers[0]).toMatchObject({diffId: null, digest: null})
    await readExportDigest(exp)
    const want = sha256(readFileSync(fixture('busybox-1.export.tar')))
    expect(exp.layers[0]).toMatchObject({diffId: want, digest: want})
    const image = await read(fixture('busybox-1.save.tar'))
    const before = image.layers.map((l) => l.diffId)
    await readExportDigest(image)
    expect(image.layers.map((l) => l.diffId)).toEqual(before)
  })

  it('an export that changed since its first read is refused, not hashed as it is now', async () => {
    const file = path.join(tempDir(), 'export.tar')
    copyFileSync(fixture('busybox-1.export.tar'), file)
    const exp = await read(file)
    truncateSync(file, exp.layers[0].uncompressedSize - 1024)
    await expect(readExportDigest(exp)).rejects.toThrow(`${file}: is ${exp.layers[0].uncompressedSize - 1024} bytes of tar now, ${exp.layers[0].uncompressedSize} when it was first read: did it change since?`)
    expect(exp.layers[0].diffId).toBeNull()
  })
})
