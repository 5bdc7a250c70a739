import {type DiffResult} from '../compare/diff.js'
import {type ExportMatch} from '../compare/export-match.js'
import {shortId} from '../image/ids.js'
import {formatLabel} from '../formats/labels.js'
import {changeLine} from './file-lines.js'
import {imageHeader} from './image-header.js'
import {showText} from './names.js'
import {type Style, wrapWords} from './style.js'
import {columns} from './table.js'
import {humanSize, plural, shortCreatedBy} from './units.js'

export interface DiffTextOptions {
  /** Show runtime-file changes inline instead of only counting them. */
  runtime: boolean
  /** Unified diffs of changed text files, keyed by path. */
  patches?: Map<string, string>
}

/**
 * The whole diff for a person: each side's header, what an export lost and which step it
 * matches, layers, config and history side by side, the files (git's A/D/M), sizes, and a last
 * line that says what is the same and what is not. As lines (some of several lines each), for
 * output written as it goes.
 */
export function diffLines(r: DiffResult, options: DiffTextOptions, style: Style): string[] {
  const c = style.color
  const w = style.width
  const out: string[] = [imageHeader('A', r.a, style), imageHeader('B', r.b, style), '']
  for (const [label, side] of [['A', r.a], ['B', r.b]] as const) {
    if (side.warnings.length === 0) continue
    out.push(c.bold(`Unusual names in ${label} (placed where Docker places them; --strict makes them errors):`), ...side.warnings.slice(0, 10).map((x) => wrapWords(`  ! ${showText(x)}`, w, '    ')))
    if (side.warnings.length > 10) out.push(`  ... and ${side.warnings.length - 10} more`)
    out.push('')
  }
  if (r.lost) out.push(lostText(r, style), '')
  if (r.exportMatch) out.push(wrapWords(matchText(r.exportMatch), w), '')
  if (r.a.kind === 'image' && r.b.kind === 'image') out.push(layersText(r, style), '')
  if (r.config && r.config.length > 0) {
    out.push(c.bold('Config:'), ...r.config.map((x) => wrapWords(`  ${x.field}: ${JSON.stringify(x.a)} -> ${JSON.stringify(x.b)}`, w, '    ')), '')
  }
  if (r.history && r.history.some((h) => h.status !== 'same')) {
    out.push(c.bold('History:'), ...r.history.filter((h) => h.status !== 'same').map((h) => wrapWords(`  step ${h.step} ${h.status}: ${shortCreatedBy(h.a) || '-'}  |  ${shortCreatedBy(h.b) || '-'}`, w, '    ')), '')
  }
  out.push(...filesText(r, options, style), '')
  out.push(wrapWords(sizesText(r), w))
  out.push(c.bold(wrapWords(verdict(r), w)))
  return out
}

/** The last line: what is the same, and what is not. */
function verdict(r: DiffResult): string {
  if (!r.summary.identical) return 'Different.'
  if (r.lost) return `Same filesystem: no differences besides runtime files (${r.lost.side === 'a' ? 'A' : 'B'} lost what is listed above).`
  const id = r.identity
  const not: string[] = []
  if (id?.imageId) not.push(`image id (A ${shortId(id.imageId.a)}, B ${shortId(id.imageId.b)})`)
  if (id?.repoTags) not.push(`tags (A ${id.repoTags.a.join(', ') || 'none'}; B ${id.repoTags.b.join(', ') || 'none'})`)
  if (id && id.configFields.length > 0) not.push(`config document fields ${id.configFields.join(', ')}`)
  if (not.length === 0) return 'Same: no differences besides runtime files.'
  return `Same filesystem, layers, history and runtime config; not the same: ${not.join('; ')}.`
}

function matchText(m: ExportMatch): string {
  const flat = m.side === 'a' ? 'A' : 'B'
  const image = m.side === 'a' ? 'B' : 'A'
  const step = `step ${m.step} of ${image} (${m.id ? shortId(m.id) : 'id <missing>'}${m.createdBy ? `, ${shortCreatedBy(m.createdBy)}` : ''})`
  const perStep = m.steps.length > 1 ? `   [per step: ${m.steps.map((s) => `${s.step}:${s.differing}`).join(' ')}]` : ''
  if (!m.derived) {
    return `${flat} is not an export of ${image}: its closest is ${step}, which keeps only ${m.kept} of its ${m.stepPaths} paths unchanged there (${plural(m.differing, 'path')} differ).${perStep}`
  }
  return `${flat} matches ${step}: ${m.differing === 0 ? 'no file differs' : `${plural(m.differing, 'file')} differ`}${perStep}`
}

function lostText(r: DiffResult, style: Style): string {
  const l = r.lost!
  const flat = l.side === 'a' ? 'A' : 'B'
  const full = l.side === 'a' ? 'B' : 'A'
  const what = l.because === 'export' ? 'a container export' : 'an image imported from an export (docker import)'
  const lines = [
    style.color.bold(`History lost: ${flat} is ${what}. Compared with ${full} it has lost:`),
    `  - ${plural(l.history, 'history entry', 'history entries')} and ${plural(l.layers, 'layer')} (one flat filesystem instead)`,
  ]
  lines.push(l.config.length > 0 ? `  - config: ${l.config.join(', ')}` : '  - config: none was set')
  lines.push(l.repoTags.length > 0 ? `  - tags: ${l.repoTags.join(', ')}` : '  - tags: none (untagged)')
  return lines.map((x) => wrapWords(x, style.width, '    ')).join('\n')
}

function layersText(r: DiffResult, style: Style): string {
  const rows = r.layers.map((l) => [
    String(l.index + 1),
    l.a ? shortId(l.a.diffId) : '-',
    l.b ? shortId(l.b.diffId) : '-',
    l.status,
    shortCreatedBy((l.b ?? l.a)?.createdBy, Number.POSITIVE_INFINITY),
  ])
  return style.color.bold('Layers:') + '\n' + columns(['#', 'A DIFF_ID', 'B DIFF_ID', 'STATUS', 'CREATED BY'], rows, {width: style.width, flexible: 4, bold: style.color.bold})
}

function filesText(r: DiffResult, options: DiffTextOptions, style: Style): string[] {
  const s = r.summary
  const shown = r.files.filter((f) => options.runtime || !f.runtime)
  const runtime = s.runtime > 0 ? `; ${plural(s.runtime, 'runtime file')} (made by a container, not by the image)${options.runtime ? ', marked R' : ' not shown, --runtime shows them'}` : ''
  const lines = [wrapWords(`${style.color.bold('Files:')} ${s.added} added, ${s.removed} removed, ${s.modified} modified${runtime}`, style.width)]
  for (const f of shown) {
    lines.push(changeLine(f, style, options.runtime))
    const patch = options.patches?.get(f.path)
    if (patch) lines.push(patch.replace(/\n$/, '').split('\n').map((l) => '      ' + l).join('\n'))
  }
  return lines
}

function sizesText(r: DiffResult): string {
  const lines: string[] = []
  for (const [label, side, size] of [['A', r.a, r.sizes.a], ['B', r.b, r.sizes.b]] as const) {
    const stored = `Size ${label}: ${humanSize(size.bytes)} as stored (${formatLabel(side.format, side.source.kind === 'directory')}${size.compression === 'none' ? '' : `, ${size.compression}-compressed`})`
    if (side.kind === 'export') {
      lines.push(`${stored}: ${humanSize(size.visibleBytes)} of file content, the rest tar headers`)
      continue
    }
    const layers =
      size.layersStored === size.layersUncompressed
        ? `its layers are ${humanSize(size.layersUncompressed)} of tar`
        : `its layers are ${humanSize(size.layersStored)} stored, ${humanSize(size.layersUncompressed)} of tar uncompressed`
    lines.push(
      `${stored}: ${layers}, holding ${humanSize(size.visibleBytes)} of visible files and ${humanSize(size.hiddenBytes)} overwritten or deleted by later layers; ${humanSize(size.metadataBytes)} of metadata and tar headers besides`,
    )
  }
  return lines.join('\n')
}
