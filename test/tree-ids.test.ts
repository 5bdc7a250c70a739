/**
 * Every id `imgdiff tree` draws can be pasted into `imgdiff rollback --to`: a node's `id` in every
 * archive that holds that step (the image id Docker shows for it where they all know it, else its
 * step number), and its image id in the archives that know it. The rolled-back image ends at that
 * node's step. Every id `inspect` prints is accepted too, and so is the image's own id.
 */
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {cleanupTemps, fixture, runJson, tempDir} from './helpers/cli.js'

interface Node {
  id: string
  imageId: string | null
  step: number
  tags: string[]
  children: Node[]
}

afterAll(() => cleanupTemps())

const ARCHIVES: Record<string, string> = {
  'busybox:latest': 'busybox.save.tar',
  'busybox-1:latest': 'busybox-1.save.tar',
  'multistep:latest': 'multistep.save.tar',
}

/** Root-to-leaf node paths, keyed by the leaf's tags. */
function pathsToTags(roots: Node[]): Map<string, Node[]> {
  const out = new Map<string, Node[]>()
  const walk = (n: Node, trail: Node[]) => {
    const here = [...trail, n]
    for (const t of n.tags) out.set(t, here)
    for (const c of n.children) walk(c, here)
  }
  for (const r of roots) walk(r, [])
  return out
}

describe('tree ids work with rollback --to', async () => {
  const {roots} = await runJson<{roots: Node[]}>(['tree', ...Object.values(ARCHIVES).map((a) => fixture(a)), '--json'])
  const paths = pathsToTags(roots)

  it('busybox and busybox-1 share their base node; multistep builds on it', () => {
    expect(paths.get('busybox-1:latest')![0]).toEqual(paths.get('busybox:latest')![0])
    expect(paths.get('multistep:latest')![0].id).toBe(paths.get('busybox:latest')![0].id)
  })

  for (const [tag, archive] of Object.entries(ARCHIVES)) {
    it(`${archive}: every node on its branch`, async () => {
      const trail = paths.get(tag)!
      expect(trail.length).toBeGreaterThan(0)
      const dir = tempDir('imgdiff-tree-')
      for (const node of trail) {
        const out = path.join(dir, `${node.step}.tar`)
        const done = await runJson<{step: number; history: number}>(['rollback', fixture(archive), '--to', node.id, '-o', out, '--json'])
        expect(done.step, `${archive} --to ${node.id}`).toBe(node.step)
        expect(done.history).toBe(node.step)
      }
    }, 120_000)
  }
})

describe('every id inspect prints works with rollback --to', () => {
  for (const archive of Object.values(ARCHIVES)) {
    it(`${archive}: each step's image id (where Docker shows one), its number, and the image's own id`, async () => {
      const {images} = await runJson<{images: Array<{imageId: string; steps: Array<{step: number; imageId: string | null; diffId: string | null; chainId: string | null}>}>}>(['inspect', fixture(archive), '--json'])
      const dir = tempDir('imgdiff-inspect-ids-')
      const refs = new Map<string, number>()
      for (const st of images[0].steps) {
        refs.set(String(st.step), st.step)
        if (st.imageId) refs.set(st.imageId.slice(7, 19), st.step)
      }
      refs.set(images[0].imageId.slice(7, 19), images[0].steps.length)
      expect(refs.size).toBeGreaterThan(images[0].steps.length)
      for (const [ref, step] of refs) {
        if (!images[0].steps.slice(0, step).some((s) => s.diffId)) continue // before the first layer: nothing to roll back to
        const done = await runJson<{step: number}>(['rollback', fixture(archive), '--to', ref, '-o', path.join(dir, `${ref}.tar`), '--json'])
        expect(done.step, `--to ${ref}`).toBe(step)
      }
    }, 120_000)
  }
})
