import {humanSize, plural} from '../units.js'
import {type ReportData} from './data.js'
import {esc, tag} from './html.js'
import {type MapCell, type MapData} from './map-data.js'
import {fitLabel, group, rect, svg, text} from './svg.js'
import {type Box, squarify} from './treemap.js'

/**
 * Where the bytes are, as a treemap: one frame per top-level directory, inside it one rectangle
 * per directory (at map-data's depth) and kind of change, its area the bytes. Runtime files get
 * their own small map below. Clicking a rectangle (with JavaScript) filters the file table to it.
 */
const WIDTH = 960
const HEIGHT = 420
const HEADER = 16

const KIND_TEXT: Record<string, string> = {
  added: 'added',
  removed: 'removed',
  modified: 'modified',
  changed: 'changed',
  visible: 'visible in the final filesystem',
  hidden: 'hidden by a later layer',
}

function cellShape(c: MapCell, b: Box, prefix: string): string {
  const name = c.dir.startsWith(prefix + '/') ? c.dir.slice(prefix.length + 1) : c.dir
  const label = b.w > 40 && b.h > 14 ? text(b.x + 3, b.y + 12, fitLabel(name, b.w - 6), {class: 'on-color'}) : ''
  return group(
    {class: 'map-cell', 'data-dir': c.dir, 'data-kind': c.kind, 'data-bytes': c.bytes, 'data-files': c.files},
    rect(b.x, b.y, b.w, b.h, {class: `cell k-${c.kind}`}, `${c.dir}: ${KIND_TEXT[c.kind] ?? c.kind}, ${humanSize(c.bytes)} in ${plural(c.files, 'file')}`),
    label,
  )
}

function mainMap(map: MapData, id: string): string {
  const boxes = squarify(
    map.groups.map((g) => g.bytes),
    {x: 0, y: 0, w: WIDTH, h: HEIGHT},
  )
  const shapes = map.groups.map((g, i) => {
    const box = boxes[i]
    if (!box) return ''
    const titled = box.h > HEADER * 2 && box.w > 60
    const inner = titled ? {x: box.x + 1, y: box.y + HEADER, w: box.w - 2, h: box.h - HEADER - 1} : box
    const cells = squarify(
      g.cells.map((c) => c.bytes),
      inner,
    )
    return group(
      {class: 'map-group', 'data-dir': g.name},
      titled ? text(box.x + 3, box.y + 12, fitLabel(`${g.name}  ${humanSize(g.bytes)}`, box.w - 6)) : '',
      ...g.cells.map((c, j) => (cells[j] ? cellShape(c, cells[j]!, g.name) : '')),
      rect(box.x, box.y, box.w, box.h, {class: 'group-frame'}),
    )
  })
  return svg(WIDTH, HEIGHT, {id, role: 'img', 'aria-label': 'Bytes by directory'}, ...shapes)
}

function runtimeMap(map: MapData): string {
  const r = map.runtime
  if (r.files === 0) return ''
  if (r.cells.length === 0) return tag('p', {class: 'muted', id: 'map-runtime', 'data-files': r.files}, esc(`${plural(r.files, 'runtime file')} (made by a container, not by the image), none with content to draw.`))
  const height = 60
  const boxes = squarify(
    r.cells.map((c) => c.bytes),
    {x: 0, y: 0, w: WIDTH, h: height},
  )
  const shapes = r.cells.map((c, i) => (boxes[i] ? cellShape({...c, kind: 'runtime'}, boxes[i]!, '') : ''))
  return tag(
    'figure',
    {id: 'map-runtime', 'data-files': r.files, 'data-bytes': r.bytes},
    svg(WIDTH, height, {role: 'img', 'aria-label': 'Runtime files'}, ...shapes),
    tag('figcaption', {}, esc(`Runtime files: ${plural(r.files, 'file')}, ${humanSize(r.bytes)}, made by a container (Docker's init layer), not by the image.`)),
  )
}

export function mapSection(data: ReportData): string {
  const map = data.map
  const cells = map.groups.reduce((n, g) => n + g.cells.length, 0)
  const byKind = (kind: string) => map.groups.reduce((n, g) => n + g.cells.filter((c) => c.kind === kind).reduce((m, c) => m + c.bytes, 0), 0)
  const legend = map.kinds.map((k) => `<span><i class="k-${k}"></i>${esc(KIND_TEXT[k] ?? k)} ${esc(humanSize(byKind(k)))}</span>`)
  if (map.runtime.files > 0) legend.push(`<span><i class="k-runtime"></i>runtime files ${esc(humanSize(map.runtime.bytes))}</span>`)
  const title = data.mode === 'diff' ? 'Where the changed bytes are' : 'Where the bytes are'
  const body =
    map.totals.bytes > 0
      ? tag('div', {class: 'chart-scroll'}, mainMap(map, 'map-chart'))
      : tag('p', {class: 'muted'}, esc(data.mode === 'diff' ? 'No changed file content to draw.' : 'No file content to draw.'))
  const depth = map.depth === 1 ? 'top-level directory' : `directory ${map.depth} levels deep`
  return tag(
    'section',
    {id: 'map', 'data-files': map.totals.files, 'data-bytes': map.totals.bytes, 'data-cells': cells, 'data-runtime-files': map.runtime.files},
    tag('h2', {}, esc(title)),
    tag('div', {class: 'legend'}, ...legend),
    body,
    tag('figcaption', {}, esc(`Area: bytes, summed by ${depth} and kind. ${map.totals.empty > 0 ? `${plural(map.totals.empty, 'entry', 'entries')} carry no content (directories, links, metadata-only changes) and have no area. ` : ''}Click a rectangle to filter the file table to it.`)),
    runtimeMap(map),
    hiddenMap(data.hiddenMap),
  )
}

/** One image: the hidden bytes on their own, where they would be a sliver of the whole map. */
function hiddenMap(map: MapData | null): string {
  if (!map || map.totals.bytes === 0) return ''
  return tag(
    'figure',
    {id: 'map-hidden', 'data-files': map.totals.files, 'data-bytes': map.totals.bytes},
    tag('h2', {}, esc(`Where the hidden bytes are: ${humanSize(map.totals.bytes)}`)),
    tag('div', {class: 'chart-scroll'}, mainMap(map, 'map-hidden-chart')),
    tag('figcaption', {}, esc(`Content stored by a layer and overwritten or deleted by a later one, by directory (${plural(map.totals.files, 'path')}).`)),
  )
}
