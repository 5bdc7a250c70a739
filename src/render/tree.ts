import {shortId} from '../image/ids.js'
import {type Image} from '../image/model.js'
import {stepsOf} from '../image/steps.js'
import {humanSize} from './units.js'

export interface TreeNode {
  /** What to paste into `imgdiff rollback --to`: a v1 id or chain id prefix, or `#N` for a metadata step. */
  id: string
  step: number
  virtualSize: number
  createdBy: string | null
  tags: string[]
  children: TreeNode[]
}

/**
 * The `docker images --tree` forest: one node per history step; images that share base layers
 * share the branch. An imported (export-derived) image has its own root.
 */
export function buildTree(images: Image[]): TreeNode[] {
  const roots: TreeNode[] = []
  const byKey = new Map<string, TreeNode>()
  for (const image of images) {
    let siblings = roots
    let key = ''
    const steps = stepsOf(image)
    steps.forEach((st, i) => {
      // A layer step is the same node wherever its chain id is the same; a metadata step also
      // needs its command and time to be the same.
      key = st.chainId ?? `${key}|${st.createdBy ?? ''}|${st.created ?? ''}`
      let node = byKey.get(key)
      if (!node) {
        // A chain id names the same step in every archive that holds it (a save's legacy directory
        // names differ between saves); a legacy v1 archive's own step ids are what Docker showed.
        const id = (image.stepIds ? st.v1Id : st.chainId) ?? `#${st.step}`
        node = {id, step: st.step, virtualSize: st.virtualSize, createdBy: st.createdBy, tags: [], children: []}
        byKey.set(key, node)
        siblings.push(node)
      }
      if (i === steps.length - 1) for (const t of image.repoTags) if (!node.tags.includes(t)) node.tags.push(t)
      siblings = node.children
    })
  }
  return roots
}

export function renderTree(roots: TreeNode[]): string {
  const lines: string[] = []
  const walk = (nodes: TreeNode[], indent: string) => {
    nodes.forEach((n, i) => {
      const last = i === nodes.length - 1
      const id = n.id.startsWith('#') ? n.id : shortId(n.id)
      lines.push(`${indent}${last ? '└─' : '├─'}${id} Virtual Size: ${humanSize(n.virtualSize)}${n.tags.length > 0 ? ` Tags: ${n.tags.join(', ')}` : ''}`)
      walk(n.children, indent + (last ? '  ' : '│ '))
    })
  }
  walk(roots, '')
  return lines.join('\n')
}
