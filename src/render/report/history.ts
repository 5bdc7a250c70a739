import {type ExportMatch} from '../../compare/export-match.js'
import {shortId} from '../../image/ids.js'
import {type TreeNode} from '../tree.js'
import {humanSize, plural, shortCreatedBy} from '../units.js'
import {type ReportData} from './data.js'
import {esc, tag} from './html.js'
import {circle, group, path, rect, svg, text} from './svg.js'

/**
 * The history as `docker images --tree` meant it, drawn: one row per step (id, step number, a bar
 * for the size its layer adds, the command, tags), and at the left a lane graph like `git log
 * --graph`: an image's steps follow one lane, and where two images part, the second gets its own.
 * Then, when one side is an export, how far it is from each step of the image, as a bar chart.
 */
const ROW = 26
const LANE = 16

interface Row {
  node: TreeNode
  lane: number
  parent: number | null
  /** Bytes this step's layer adds (its virtual size minus its parent's). */
  added: number
}

/** The forest in drawing order (depth first), each node on its lane; iterative, as histories can be long. */
function layoutRows(roots: TreeNode[]): {rows: Row[]; lanes: number} {
  const rows: Row[] = []
  let lanes = 0
  const todo: Array<{node: TreeNode; lane: number; parent: number | null; base: number}> = [...roots].reverse().map((node) => ({node, lane: -1, parent: null, base: 0}))
  while (todo.length > 0) {
    const item = todo.pop()!
    const lane = item.lane === -1 ? lanes++ : item.lane
    const index = rows.length
    rows.push({node: item.node, lane, parent: item.parent, added: Math.max(0, item.node.virtualSize - item.base)})
    const children = item.node.children
    // The first child continues this lane; the others open lanes when they are drawn.
    for (let i = children.length - 1; i >= 0; i--) todo.push({node: children[i], lane: i === 0 ? lane : -1, parent: index, base: item.node.virtualSize})
  }
  return {rows, lanes}
}

function graph(rows: Row[], lanes: number): string {
  const width = lanes * LANE + 8
  const x = (lane: number) => 8 + lane * LANE
  const y = (row: number) => row * ROW + ROW / 2
  const edges = rows.map((r, i) => {
    if (r.parent === null) return ''
    const p = rows[r.parent]
    if (p.lane === r.lane) return path(`M${x(p.lane)} ${y(r.parent)}V${y(i)}`, {class: 'lane'})
    // A branch: leave the parent sideways, then run down its own lane.
    return path(`M${x(p.lane)} ${y(r.parent)}Q${x(r.lane)} ${y(r.parent)} ${x(r.lane)} ${y(r.parent) + ROW / 2}V${y(i)}`, {class: 'lane'})
  })
  const nodes = rows.map((r, i) => circle(x(r.lane), y(i), 5, {class: r.node.tags.length > 0 ? 'node tagged' : 'node'}, `step ${r.node.step}`))
  return svg(width, rows.length * ROW, {class: 'history-graph', 'aria-hidden': 'true'}, ...edges, ...nodes)
}

function barWidth(size: number, max: number): number {
  if (size <= 0 || max <= 0) return 0
  return Math.max(2, (100 * Math.log10(1 + size)) / Math.log10(1 + max))
}

export function historySection(data: ReportData): string {
  const {rows, lanes} = layoutRows(data.tree)
  const max = Math.max(0, ...rows.map((r) => r.added))
  const rowHtml = rows.map((r) => {
    const n = r.node
    const tags = [...n.tags.map((t) => `<span class="tag">${esc(t)}</span>`), n.untagged ? '<span class="tag">&lt;untagged&gt;</span>' : '']
    const roots = r.parent === null ? n.archives.map((a) => `<span class="muted"> ${esc(a)}</span>`).join('') : ''
    return tag(
      'div',
      {class: 'hrow', 'data-step': n.step, title: n.createdBy ?? ''},
      // Like docker history: <missing> where no image id is known (the step number works with --to).
      n.imageId ? tag('span', {class: 'id', title: n.imageId}, esc(shortId(n.imageId))) : tag('span', {class: 'id none', title: `no image id: use ${n.id} with imgdiff rollback --to`}, '&lt;missing&gt;'),
      tag('span', {class: 'step'}, esc(`step ${n.step}`)),
      tag('span', {class: 'bar', title: `${humanSize(r.added)} added by this step`}, `<span style="width:${barWidth(r.added, max).toFixed(1)}%"></span>`),
      tag('span', {class: 'size'}, esc(humanSize(r.added))),
      tag('span', {class: 'cmd'}, esc(shortCreatedBy(n.createdBy, 400)), ...tags, roots),
    )
  })
  const empty = data.tree.length === 0 ? tag('p', {class: 'muted'}, 'No history: a container export has none.') : ''
  return tag(
    'section',
    {id: 'history', 'data-nodes': rows.length},
    tag('h2', {}, 'History'),
    data.exportMatch ? matchChart(data.exportMatch, data) : '',
    tag('div', {class: 'history'}, rows.length > 0 ? graph(rows, lanes) : '', tag('div', {class: 'history-rows'}, ...rowHtml)),
    empty,
    tag('figcaption', {}, esc(`${plural(rows.length, 'step')}, oldest first; steps that images share are drawn once. The bar is the size a step's layer adds (log scale). Ids work with imgdiff rollback --to.`)),
  )
}

/** Paths that differ between the export and the image at each step: the lowest bar is the step the export was made from. */
function matchChart(m: ExportMatch, data: ReportData): string {
  const steps = m.steps
  const flat = m.side === 'a' ? 'A' : 'B'
  const image = m.side === 'a' ? 'B' : 'A'
  const barW = 22
  const height = 120
  const top = 14
  const bottom = 20
  const width = Math.max(260, steps.length * barW + 50)
  const max = Math.max(1, ...steps.map((s) => s.differing))
  const commands = new Map(data.steps.filter((s) => s.side === image).map((s) => [s.step, s.createdBy]))
  const bars = steps.map((s, i) => {
    const h = ((height - top - bottom) * s.differing) / max
    const x = 44 + i * barW
    const title = `step ${s.step} (${plural(s.layers, 'layer')}): ${plural(s.differing, 'path')} differ${commands.get(s.step) ? ` — ${shortCreatedBy(commands.get(s.step), 80)}` : ''}`
    return group(
      {class: 'match-step', 'data-step': s.step, 'data-differing': s.differing},
      rect(x, height - bottom - Math.max(h, 1), barW - 4, Math.max(h, 1), {class: s.step === m.step ? 'bar best' : 'bar dist'}, title),
      s.step === m.step ? text(x + (barW - 4) / 2, height - bottom - Math.max(h, 1) - 3, '▼', {'text-anchor': 'middle', class: 'best'}) : '',
      steps.length <= 40 || i % Math.ceil(steps.length / 40) === 0 ? text(x + (barW - 4) / 2, height - 6, String(s.step), {'text-anchor': 'middle'}) : '',
    )
  })
  const axis = [text(38, top + 4, String(max), {'text-anchor': 'end'}), text(38, height - bottom, '0', {'text-anchor': 'end'}), path(`M42 ${top}V${height - bottom}H${width}`, {class: 'grid'})]
  return tag(
    'figure',
    {id: 'match-chart', 'data-steps': steps.length, 'data-best': m.step},
    tag('div', {class: 'chart-scroll'}, svg(width, height, {role: 'img', 'aria-label': `Paths that differ between ${flat} and each step of ${image}`}, ...axis, ...bars)),
    tag('figcaption', {}, esc(`Paths that differ between ${flat} and ${image} as it stood after each step (runtime files aside): the closest, marked ▼, is step ${m.step}, with ${plural(m.differing, 'difference')}.`)),
  )
}
