import {showPath} from '../names.js'
import {humanSize, plural} from '../units.js'
import {type ReportData} from './data.js'
import {esc, tag} from './html.js'

/**
 * The file table. Without JavaScript: the first STATIC_ROWS rows as a plain table. With it
 * (client.ts): every row, virtualised (only the rows in view are in the page), filtered by kind,
 * path (a prefix or a glob) and a search, sorted by any column, and a row's unified diff
 * (`--content`) shown below the table when it is picked.
 */
const STATIC_ROWS = 200

export function filesSection(data: ReportData): string {
  const t = data.files
  const counts = t.kinds.map((_, k) => t.rows.filter((r) => r[1] === k && r[5] === 0).length)
  const runtime = t.rows.filter((r) => r[5] === 1).length
  const countAttrs = Object.fromEntries(t.kinds.map((k, i) => [`data-${k}`, counts[i]]))
  const what = t.kinds.map((k, i) => `${counts[i]} ${k}`).join(', ') + (runtime > 0 ? `; ${plural(runtime, 'runtime file')}` : '')
  const title = data.mode === 'diff' ? `Files: ${what}` : `Files each layer changed: ${what}`
  const kindBoxes = t.kinds.map((k, i) => `<label><input type="checkbox" data-kind="${i}" checked> <span class="kind k-${esc(k)}">${esc(k)}</span> ${counts[i]}</label>`)
  const runtimeBox = runtime > 0 ? `<label title="Files made by a container (Docker's init layer), not by the image"><input type="checkbox" id="f-runtime"> runtime files ${runtime}</label>` : ''
  const controls = tag(
    'div',
    {class: 'controls needs-js'},
    ...kindBoxes,
    runtimeBox,
    '<input type="search" id="f-path" placeholder="path: /etc, /usr/**/*.so" aria-label="Path prefix or glob">',
    '<input type="search" id="f-search" placeholder="search paths and details" aria-label="Search">',
    '<span id="f-count" class="muted"></span>',
  )
  const layerHead = data.mode === 'diff' ? 'layer' : 'layer'
  const table = tag(
    'div',
    {class: 'needs-js'},
    tag(
      'div',
      {class: 'vt', id: 'vt', tabindex: 0},
      tag('div', {class: 'vt-head'}, '<span data-sort="kind">kind</span><span data-sort="path">path</span><span data-sort="bytes" class="n">size</span><span data-sort="detail">detail</span>', `<span data-sort="layer">${layerHead}</span>`),
      tag('div', {id: 'vt-space'}, tag('div', {id: 'vt-rows'})),
    ),
    tag('div', {id: 'patch'}),
  )
  return tag(
    'section',
    {id: 'files', 'data-rows': t.rows.length, 'data-runtime': runtime, ...countAttrs},
    tag('h2', {}, esc(title)),
    controls,
    table,
    staticTable(data),
  )
}

function staticTable(data: ReportData): string {
  const t = data.files
  if (t.rows.length === 0) return tag('p', {class: 'muted'}, data.mode === 'diff' ? 'No file differs.' : 'No layer changes a file.')
  const rows = t.rows.slice(0, STATIC_ROWS).map((r) => {
    const [path, kind, bytes, detail, layer, runtime] = r
    const patch = data.patches?.[path]
    return tag(
      'tr',
      {'data-kind': t.kinds[kind], 'data-runtime': runtime},
      tag('td', {}, `<span class="kind k-${esc(t.kinds[kind])}">${esc(t.kinds[kind])}</span>`),
      tag('td', {class: 'path'}, esc(showPath(path)), runtime ? '<span class="runtime-note">runtime</span>' : '', patch ? tag('details', {}, '<summary>diff</summary>', tag('pre', {}, esc(patch))) : ''),
      tag('td', {class: 'num'}, esc(humanSize(bytes))),
      tag('td', {}, esc(detail)),
      tag('td', {}, esc(layer)),
    )
  })
  const more = t.rows.length > STATIC_ROWS ? tag('p', {class: 'muted'}, esc(`The first ${STATIC_ROWS} of ${t.rows.length} rows; with JavaScript on, the table has them all, with filters.`)) : ''
  return tag(
    'div',
    {class: 'no-js-only'},
    tag('table', {id: 'files-static'}, tag('thead', {}, tag('tr', {}, ...['kind', 'path', 'size', 'detail', 'layer'].map((h) => tag('th', {}, h)))), tag('tbody', {}, ...rows)),
    more,
  )
}
