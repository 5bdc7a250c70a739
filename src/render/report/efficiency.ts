import {userWastedRatio} from '../../compare/efficiency.js'
import {diveBytes, diveFixed4} from '../efficiency-text.js'
import {showPath} from '../names.js'
import {humanSize} from '../units.js'
import {type ReportData} from './data.js'
import {esc, tag} from './html.js'

/**
 * One image's efficiency (`imgdiff report A`): dive's figures as dive computes them, next to
 * imgdiff's exact hidden bytes, then the two lists (dive's inefficient paths, the hidden paths).
 * Lists show their first STATIC_ROWS rows; the JSON blob in the page has all of them.
 */
const STATIC_ROWS = 100

export function efficiencySection(data: ReportData): string {
  const e = data.efficiency
  if (!e) return ''
  const d = e.dive
  const figure = (value: string, label: string, title: string) => tag('div', {class: 'figure', title}, tag('b', {}, esc(value)), tag('span', {}, esc(label)))
  const figures = tag(
    'div',
    {class: 'figures'},
    figure(`${diveFixed4(100 * d.efficiency)} %`, 'efficiency score (dive)', 'dive v0.12: the smallest copy of every path over all copies of it'),
    figure(diveBytes(d.wastedBytes), 'wasted bytes (dive)', 'dive v0.12: all copies of every path that is in two or more layers'),
    figure(`${diveFixed4(100 * userWastedRatio(d))} %`, 'user wasted percent (dive)', 'dive v0.12: wasted bytes over the bytes of every layer but the first'),
    figure(humanSize(e.hidden.bytes), `hidden bytes, exactly (${e.hidden.files} files)`, 'stored in a layer, overwritten or deleted by a later one: never visible in a container'),
  )
  const inefficient = list(
    ['copies', 'total bytes', 'path'],
    d.inefficientPaths.map((p) => [String(p.count), diveBytes(p.bytes), showPath(p.path)]),
    'inefficient',
    'No path is in more than one layer.',
  )
  const hidden = list(
    ['hidden bytes', 'copies', 'layers', 'why', 'path'],
    e.hidden.paths.map((p) => [humanSize(p.bytes), String(p.copies), p.layers.map((i) => i + 1).join(', '), p.why, showPath(p.path)]),
    'hidden',
    'Every stored byte is visible in the final filesystem.',
  )
  return tag(
    'section',
    {id: 'efficiency', 'data-efficiency': d.efficiency, 'data-wasted': d.wastedBytes, 'data-hidden': e.hidden.bytes, 'data-inefficient': d.inefficientPaths.length},
    tag('h2', {}, 'Efficiency: the wasted bytes'),
    figures,
    tag('p', {class: 'muted'}, esc(`dive counts a path as wasted when it is in two or more layers, every copy included (a chmod copies a whole file); imgdiff's exact figure counts the bytes no container can see. ${diveBytes(d.userSizeBytes)} were added after the first layer.`)),
    tag('h2', {}, esc(`Inefficient paths (dive): ${d.inefficientPaths.length}`)),
    inefficient,
    tag('h2', {}, esc(`Hidden bytes by path: ${e.hidden.paths.length}`)),
    hidden,
  )
}

function list(head: string[], rows: string[][], id: string, none: string): string {
  if (rows.length === 0) return tag('p', {class: 'muted'}, esc(none))
  const last = head.length - 1
  const body = rows.slice(0, STATIC_ROWS).map((r) => tag('tr', {}, ...r.map((c, i) => tag('td', {class: i === last ? 'path' : 'num'}, esc(c)))))
  const more = rows.length > STATIC_ROWS ? tag('p', {class: 'muted'}, esc(`... and ${rows.length - STATIC_ROWS} more (all are in the page's JSON data).`)) : ''
  return tag('table', {id: `${id}-paths`, 'data-rows': rows.length}, tag('thead', {}, tag('tr', {}, ...head.map((h, i) => tag('th', {class: i === last ? undefined : 'num'}, esc(h))))), tag('tbody', {}, ...body)) + more
}
