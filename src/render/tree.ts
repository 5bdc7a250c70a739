import {basename} from 'node:path'
import {shortId} from '../image/ids.js'
import {type Image} from '../image/model.js'
import {stepLabel} from '../image/step-ref.js'
import {stepsOf} from '../image/steps.js'
import {showPath} from './names.js'
import {fit, type Style} from './style.js'
import {humanSize} from './units.js'

export interface TreeNode {
  /**
   * What `imgdiff rollback --to` takes for this step in every archive the node stands for: the
   * image id Docker shows for it where all of them know that id, else `#N` (its step number).
   */
  id: string
  /** The image id Docker shows for this step, or null (`<missing>`). */
  imageId: string | null
  step: number
  /** Content bytes of all layers up to this step (Docker's "Virtual Size"). */
  virtualSize: number
  createdBy: string | null
  /** Tags of the images that end here. */
  tags: string[]
  /** An image ends here without a tag. */
  untagged: boolean
  /** Archives holding an image that ends here, or (for a root) any image that starts here. */
  archives: string[]
  children: TreeNode[]
}

/**
 * The `docker images --tree` forest: one node per step. Images that share a base share its
 * nodes; a step is one node per image id (two images with the same layers but another config
 * are two nodes); a step with no id joins the node of the same content under the same parent.
 */
export function buildTree(archives: Array<{path: string; images: Image[]}>): TreeNode[] {
  const roots: TreeNode[] = []
  const byId = new Map<string, TreeNode>()
  const byContent = new Map<string, TreeNode>()
  const keyOf = new Map<TreeNode, string>()
  for (const {path, images} of archives) {
    for (const image of images) {
      let siblings = roots
      let parentKey = ''
      const steps = stepsOf(image)
      steps.forEach((st, i) => {
        const content = `${parentKey}|${st.chainId ?? ''}|${st.createdBy ?? ''}|${st.created ?? ''}`
        let node = st.imageId ? byId.get(st.imageId) : undefined
        const sameContent = byContent.get(content)
        if (!node && sameContent && (!st.imageId || sameContent.imageId === null || sameContent.imageId === st.imageId)) node = sameContent
        if (!node) {
          node = {id: stepLabel(st), imageId: st.imageId, step: st.step, virtualSize: st.virtualSize, createdBy: st.createdBy, tags: [], untagged: false, archives: [], children: []}
          siblings.push(node)
          keyOf.set(node, content)
          if (!sameContent) byContent.set(content, node)
        } else if (stepLabel(st) !== node.id) {
          // Images that share this step do not all know its id (a save without the base image): the step number works for all.
          node.id = `#${st.step}`
        }
        if (st.imageId && node.imageId === null) node.imageId = st.imageId
        if (node.imageId) byId.set(node.imageId, node)
        const last = i === steps.length - 1
        if (last) {
          for (const t of image.repoTags) if (!node.tags.includes(t)) node.tags.push(t)
          if (image.repoTags.length === 0) node.untagged = true
        }
        if ((last || siblings === roots) && !node.archives.includes(path)) node.archives.push(path)
        parentKey = keyOf.get(node)!
        siblings = node.children
      })
    }
  }
  return roots
}

/**
 * The drawing, two columns per level as `docker images --tree` drew it; when that would pass the
 * width, a compact form where a step with one child does not indent it (only branches do).
 */
export function renderTree(roots: TreeNode[], style: Style): string {
  const wide = draw(roots, style, false)
  if (style.width === null || wide.every((l) => [...l].length <= style.width!)) return wide.join('\n')
  return draw(roots, style, true)
    .map((l) => fit(l, style.width))
    .join('\n')
}

function draw(roots: TreeNode[], style: Style, compact: boolean): string[] {
  const c = style.color
  const lines: string[] = []
  const label = (n: TreeNode, root: boolean) => {
    const id = n.imageId ? (n.id === shortId(n.imageId) ? n.id : `${shortId(n.imageId)} (${n.id})`) : n.id
    const tags = n.tags.length > 0 ? ` Tags: ${n.tags.join(', ')}` : n.untagged ? ' Tags: <untagged>' : ''
    const from = (root || n.tags.length > 0 || n.untagged) && n.archives.length > 0 ? c.dim(`  [${n.archives.map((a) => showPath(basename(a))).join(', ')}]`) : ''
    return `${c.bold(id)} Virtual Size: ${humanSize(n.virtualSize)}${tags ? c.green(tags) : ''}${from}`
  }
  const walk = (nodes: TreeNode[], indent: string, root: boolean) => {
    nodes.forEach((n, i) => {
      const last = i === nodes.length - 1
      lines.push(`${indent}${last ? '└─' : '├─'}${label(n, root)}`)
      let next = indent + (last ? '  ' : '│ ')
      let children = n.children
      // Compact: follow a chain of single children straight down, under the same indent.
      while (compact && children.length === 1) {
        const only = children[0]
        lines.push(`${next}  ${label(only, false)}`)
        children = only.children
      }
      if (compact && children !== n.children) next += '  '
      walk(children, next, false)
    })
  }
  walk(roots, '', true)
  return lines
}
