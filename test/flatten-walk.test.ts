/**
 * Flatten reads a plain archive file's layers one header at a time and applies each member as it
 * passes (formats/layer-walk.ts), keeping no layer's entries; anything else (compressed, piped,
 * --verify, --strict) is read whole first, the way every other command reads it. The two must
 * agree:
 * - the walk hands over exactly the entries the whole read keeps, member by member, and says
 *   where each file's content lies as the whole read recorded it;
 * - for every fidelity case, `flatten` (the walk) and `flatten --verify` (the whole read) write the
 *   same bytes, or refuse with the same line. fidelity.test.ts holds the first against Docker.
 */
import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {readArchive} from '../src/formats/read.js'
import {plainLayerWalk} from '../src/formats/layer-walk.js'
import {type FileEntry} from '../src/image/model.js'
import {cleanupTemps, ROOT, run, tempDir} from './helpers/cli.js'

afterAll(cleanupTemps)

const CASES = path.join(ROOT, 'fixtures/fidelity/cases')
const saves = readdirSync(CASES)
  .filter((f) => f.endsWith('.save.tar'))
  .map((f) => path.join(CASES, f))
const others = ['fixtures/multistep.save.tar', 'fixtures/busybox-1.oci-gzip.tar', 'fixtures/busybox-1.oci-zstd.tar'].map((f) => path.join(ROOT, f))

/** Each layer's entries as the walk hands them over, and where it says each file's content lies. */
async function walked(file: string) {
  const [image] = await readArchive(file, {depth: 'outer', reread: true})
  const layers: FileEntry[][] = image.layers.map(() => [])
  const walk = plainLayerWalk(image)
  if (walk === null) return null
  const index = walk((i) => ({member: (e) => layers[i].push(e), end() {}}))
  return layers.map((files, l) => files.map((e, i) => ({...e, at: e.type === 'file' ? index.at(l, i) : undefined})))
}

/** The same from the whole read. */
async function whole(file: string) {
  const [image] = await readArchive(file, {depth: 'structure', reread: true})
  return image.layers.map((l) => l.files.map((e) => ({...e, at: e.type === 'file' ? {offset: e.offset, size: e.size, sparse: e.sparse} : undefined})))
}

describe('the layer walk hands over what the whole read keeps', () => {
  it('found the cases', () => {
    expect(saves.length).toBeGreaterThan(50)
  })

  for (const file of saves) {
    it(path.basename(file), async () => {
      const expected = await whole(file).catch((error: Error) => ({error: error.message}))
      const got = await walked(file).catch((error: Error) => ({error: error.message}))
      if ('error' in expected) {
        // What the whole read refuses, the walk refuses too (flatten then reads it whole, for the message).
        expect(got).toHaveProperty('error')
        return
      }
      expect(got, 'a plain docker save: the walk must take it').not.toBeNull()
      expect(got).toEqual(expected)
    })
  }

  it('compressed layers are left to the whole read', async () => {
    for (const file of others.slice(1)) expect(await walked(file), file).toBeNull()
  })
})

describe('flatten writes the same bytes by the walk and by the whole read (--verify)', () => {
  const UNPACK_TIME = '1777777777'
  for (const file of [...saves, others[0]]) {
    it(path.basename(file), async () => {
      const dir = tempDir()
      const out = (name: string) => path.join(dir, name)
      const env = {SOURCE_DATE_EPOCH: UNPACK_TIME}
      const [a, b] = await Promise.all([run(['flatten', file, '-o', out('walk.tar')], {env}), run(['flatten', file, '--verify', '-o', out('whole.tar')], {env})])
      expect(a.code, a.stderr).toBe(b.code)
      if (b.code !== 0) {
        expect(a.stderr).toBe(b.stderr)
        return
      }
      expect(readFileSync(out('walk.tar')).equals(readFileSync(out('whole.tar'))), 'the two flattens differ').toBe(true)
    }, 60_000)
  }
})
