import {type LayerChanges} from '../../compare/efficiency.js'
import {type LayerRow} from '../../compare/layers.js'
import {shortId} from '../../image/ids.js'
import {humanSize, shortCreatedBy} from '../units.js'
import {type ReportData} from './data.js'
import {esc, tag} from './html.js'
import {fitLabel, group, rect, svg, text} from './svg.js'

/**
 * Layers as bars. For a diff, A's layers on the left and B's on the right, row by row as the diff
 * aligns them (the shared base first, then where the images part), coloured by status. For one
 * image, each layer's content split into what the final filesystem shows and what it hides, with
 * what the layer added, changed and removed (dive's layer view).
 * Bar lengths use a log scale: a 1 GB base next to a 100-byte step would otherwise leave no bar.
 */
const ROW = 30
const WIDTH = 960

function logLength(size: number, max: number, span: number): number {
  if (size <= 0 || max <= 0) return 0
  return Math.max(2, (span * Math.log10(1 + size)) / Math.log10(1 + max))
}

const STATUS_TEXT: Record<LayerRow['status'], string> = {
  same: 'same',
  'same-content': 'same content',
  different: 'different',
  'only-a': 'only in A',
  'only-b': 'only in B',
}

export function layersSection(data: ReportData): string {
  if (data.layers) return alignedLayers(data.layers)
  if (data.efficiency) return imageLayers(data.efficiency.layers)
  return ''
}

function alignedLayers(rows: LayerRow[]): string {
  const span = 360
  const mid = WIDTH / 2
  const max = Math.max(0, ...rows.flatMap((r) => [r.a?.size ?? 0, r.b?.size ?? 0]))
  const label = (side: LayerRow['a']) => (side ? [side.diffId === null ? 'sha256 not read' : shortId(side.diffId), humanSize(side.size), shortCreatedBy(side.createdBy, 200)].filter(Boolean).join(' · ') : '')
  const shapes = rows.map((r, i) => {
    const y = i * ROW + 4
    const cls = `bar s-${r.status}`
    const a = r.a ? logLength(r.a.size, max, span) : 0
    const b = r.b ? logLength(r.b.size, max, span) : 0
    return group(
      {class: 'layer-row', 'data-status': r.status, 'data-index': r.index},
      text(4, y + 11, `${r.index + 1}`, {class: 'mono'}),
      r.a ? rect(mid - 50 - a, y, a, 13, {class: cls}, `A layer ${r.index + 1}: ${r.a.diffId ?? 'sha256 not read (another size than B layer 1)'}, ${humanSize(r.a.size)}${r.a.createdBy ? `\n${r.a.createdBy}` : ''}`) : '',
      r.a ? text(mid - 50, y + 25, fitLabel(label(r.a), mid - 60), {'text-anchor': 'end', class: 'mono'}) : '',
      text(mid, y + 11, STATUS_TEXT[r.status], {'text-anchor': 'middle'}),
      r.b ? rect(mid + 50, y, b, 13, {class: cls}, `B layer ${r.index + 1}: ${r.b.diffId ?? 'sha256 not read (another size than A layer 1)'}, ${humanSize(r.b.size)}${r.b.createdBy ? `\n${r.b.createdBy}` : ''}`) : '',
      r.b ? text(mid + 50, y + 25, fitLabel(label(r.b), mid - 60), {class: 'mono'}) : '',
    )
  })
  const head = [text(mid - 50, 12, 'A', {'text-anchor': 'end'}), text(mid + 50, 12, 'B')]
  const counts = (status: LayerRow['status']) => rows.filter((r) => r.status === status).length
  const legend = (Object.keys(STATUS_TEXT) as Array<LayerRow['status']>)
    .filter((s) => counts(s) > 0)
    .map((s) => `<span><i class="s-${s}"></i>${esc(STATUS_TEXT[s])} (${counts(s)})</span>`)
  return tag(
    'section',
    {id: 'layers', 'data-rows': rows.length, 'data-same': counts('same'), 'data-different': rows.length - counts('same')},
    tag('h2', {}, 'Layers, side by side'),
    tag('div', {class: 'legend'}, ...legend),
    tag('div', {class: 'chart-scroll'}, svg(WIDTH, rows.length * ROW + 24, {id: 'layers-chart', role: 'img', 'aria-label': 'Layers of A and B aligned'}, ...head, group({transform: 'translate(0 18)'}, ...shapes))),
    tag('figcaption', {}, 'Rows are layer positions: the same chain id is the same layer on the same base; "same content" is the same layer tar on another base. Bar length: uncompressed size (log scale).'),
  )
}

function imageLayers(layers: LayerChanges[]): string {
  const span = 420
  const max = Math.max(0, ...layers.map((l) => l.contentBytes))
  const shapes = layers.map((l, i) => {
    const y = i * ROW + 4
    const whole = logLength(l.contentBytes, max, span)
    // The hidden share of the bar, in proportion to the layer's own bytes.
    const hidden = l.contentBytes > 0 ? (whole * l.hidden.bytes) / l.contentBytes : 0
    const what = [`+${l.added.files}`, `~${l.changed.files}`, `-${l.removed.files}`].join(' ')
    return group(
      {class: 'layer-row', 'data-index': l.index, 'data-hidden': l.hidden.bytes},
      text(4, y + 11, String(l.index + 1), {class: 'mono'}),
      rect(40, y, whole - hidden, 13, {class: 'bar k-visible'}, `layer ${l.index + 1}: ${humanSize(l.contentBytes - l.hidden.bytes)} still visible`),
      hidden > 0 ? rect(40 + whole - hidden, y, hidden, 13, {class: 'bar k-hidden'}, `layer ${l.index + 1}: ${humanSize(l.hidden.bytes)} hidden by later layers`) : '',
      text(40, y + 25, [humanSize(l.contentBytes), what, shortCreatedBy(l.createdBy, 70)].filter(Boolean).join(' · '), {class: 'mono'}),
    )
  })
  const rows = layers.map((l) =>
    tag(
      'tr',
      {},
      tag('td', {class: 'num'}, String(l.index + 1)),
      tag('td', {class: 'num'}, l.step === null ? '' : String(l.step)),
      tag('td', {class: 'path', title: l.createdBy ?? ''}, esc(shortCreatedBy(l.createdBy, 70))),
      tag('td', {class: 'num'}, esc(humanSize(l.contentBytes))),
      ...[l.added, l.changed, l.removed].map((c) => tag('td', {class: 'num'}, c.files === 0 ? '-' : esc(`${c.files}${c.bytes > 0 ? ` (${humanSize(c.bytes)})` : ''}`))),
      tag('td', {class: 'num'}, l.hidden.files === 0 ? '-' : esc(`${humanSize(l.hidden.bytes)} (${l.hidden.files})`)),
    ),
  )
  const head = ['layer', 'step', 'created by', 'content', 'added', 'changed', 'removed', 'hidden later'].map((h, i) => tag('th', {class: i === 2 ? undefined : 'num'}, h))
  return tag(
    'section',
    {id: 'layers', 'data-rows': layers.length},
    tag('h2', {}, 'Layers: what each one adds, changes and removes'),
    tag('div', {class: 'legend'}, '<span><i class="k-visible"></i>visible in the final filesystem</span><span><i class="k-hidden"></i>hidden by a later layer (stored for nothing)</span>'),
    tag('div', {class: 'chart-scroll'}, svg(WIDTH, layers.length * ROW + 6, {id: 'layers-chart', role: 'img', 'aria-label': 'Layers and their hidden bytes'}, ...shapes)),
    tag('table', {}, tag('thead', {}, tag('tr', {}, ...head)), tag('tbody', {}, ...rows)),
    tag('figcaption', {}, 'Counts are paths; a removal counts everything under a deleted directory. Bar length: content bytes (log scale).'),
  )
}
