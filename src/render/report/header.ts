import {shortId} from '../../image/ids.js'
import {showPath} from '../names.js'
import {humanSize, plural, shortCreatedBy} from '../units.js'
import {type ReportData, type SideCard} from './data.js'
import {esc, tag} from './html.js'

/** The top of the report: one card per side, the lost-history panel, and why the sizes differ. */
export function cardsSection(data: ReportData): string {
  return tag('section', {id: 'sides'}, tag('h2', {}, data.mode === 'diff' ? 'The two archives' : 'The archive'), tag('div', {class: 'cards'}, ...data.sides.map(sideCard)))
}

function sideCard(s: SideCard): string {
  const rows: Array<[string, string]> = [
    ['kind', s.kind === 'export' ? 'container export (one flat filesystem)' : 'image'],
    ['format', s.format],
    ['image id', s.imageId ? `<code title="${esc(s.imageId)}">${esc(shortId(s.imageId))}</code>` : 'none'],
    ['tags', s.repoTags.length > 0 ? s.repoTags.map((t) => `<span class="tag">${esc(t)}</span>`).join(' ') : 'untagged'],
    ['platform', esc(s.platform ?? 'not recorded')],
    ['layers', String(s.layers)],
    ['history', s.kind === 'export' ? 'none' : plural(s.history, 'entry', 'entries')],
    ['size', `${esc(humanSize(s.bytes))} <span class="muted">(${esc(s.bytes.toLocaleString('en-US'))} bytes)</span>`],
  ]
  const dl = rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${k === 'format' ? esc(v) : v}</dd>`).join('')
  return tag('div', {class: 'card', 'data-side': s.label}, `<span class="label">${esc(s.label)}</span><code>${esc(showPath(s.path))}</code>`, `<dl>${dl}</dl>`)
}

/** What an export lost, first of the panels (the article's point). */
export function lostSection(data: ReportData): string {
  const l = data.lost
  if (!l) return ''
  const flat = l.side === 'a' ? 'A' : 'B'
  const full = l.side === 'a' ? 'B' : 'A'
  const what = l.because === 'export' ? 'a container export' : 'an image imported from an export (docker import)'
  const items = [
    `${plural(l.history, 'history entry', 'history entries')} and ${plural(l.layers, 'layer')}: one flat filesystem instead`,
    l.config.length > 0 ? `config: ${l.config.join(', ')}` : 'config: none was set',
    l.repoTags.length > 0 ? `tags: ${l.repoTags.join(', ')}` : 'tags: none (untagged)',
  ]
  const m = data.exportMatch
  const match = m
    ? m.derived
      ? `${flat} matches step ${m.step} of ${full}${m.createdBy ? ` (${shortCreatedBy(m.createdBy, 80)})` : ''}: ${m.differing === 0 ? 'no file differs' : plural(m.differing, 'file') + ' differ'}.`
      : `${flat} is not an export of ${full}: its closest step, ${m.step}, keeps only ${m.kept} of ${m.stepPaths} paths.`
    : ''
  return tag(
    'section',
    {id: 'lost', class: 'lost', 'data-side': flat, 'data-history': l.history, 'data-layers': l.layers},
    tag('h2', {}, 'History lost'),
    tag('p', {}, esc(`${flat} is ${what}. Compared with ${full} it has lost:`)),
    tag('ul', {}, ...items.map((i) => tag('li', {}, esc(i)))),
    match ? tag('p', {}, esc(match)) : '',
  )
}

/** Why the sizes differ (diff): stored, visible, hidden and metadata bytes of each side. */
export function sizesSection(data: ReportData): string {
  if (!data.sizes) return ''
  const rows = (['a', 'b'] as const).map((k, i) => {
    const s = data.sizes![k]
    const side = data.sides[i]
    const cells = [side.label, humanSize(s.bytes), side.kind === 'export' ? '-' : humanSize(s.layersUncompressed), humanSize(s.visibleBytes), side.kind === 'export' ? '-' : humanSize(s.hiddenBytes), humanSize(s.metadataBytes)]
    return tag('tr', {}, ...cells.map((c, j) => tag('td', {class: j > 0 ? 'num' : undefined}, esc(c))))
  })
  const head = ['', 'archive', 'layer tars', 'visible files', 'hidden by later layers', 'metadata, headers'].map((h, j) => tag('th', {class: j > 0 ? 'num' : undefined}, esc(h)))
  return tag(
    'section',
    {id: 'sizes'},
    tag('h2', {}, 'Why the sizes differ'),
    tag('table', {}, tag('thead', {}, tag('tr', {}, ...head)), tag('tbody', {}, ...rows)),
    tag('p', {class: 'muted'}, 'Hidden bytes are file contents a layer stored that a later layer overwrote or deleted: they are in the archive, never in a container.'),
  )
}
