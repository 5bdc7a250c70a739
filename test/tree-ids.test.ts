/**
 * Every id `imgdiff tree` draws can be pasted into `imgdiff rollback --to`, for every archive that
 * holds that step (a save's legacy directory names differ between saves of the same layers, so
 * the tree must show ids that do not). The rolled-back image ends at that node's step.
 */
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {cleanupTemps, fixture, runJson, tempDir} from './helpers/cli.js'

interface Node {
  id: string
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
        const done = await runJson<{step: number; history: number}>(['rollback', fixture(archive), '--to', node.id.startsWith('#') ? node.id : node.id.slice(0, 12), '-o', out, '--json'])
        expect(done.step, `${archive} --to ${node.id}`).toBe(node.step)
        expect(done.history).toBe(node.step)
      }
    }, 120_000)
  }
})
