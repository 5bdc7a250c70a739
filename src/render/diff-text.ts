import {type DiffResult} from '../compare/diff.js'
import {type ExportMatch} from '../compare/export-match.js'
import {type FileChange} from '../compare/file-diff.js'
import {shortId} from '../image/ids.js'
import {formatLabel} from '../formats/labels.js'
import {imageHeader} from './image-header.js'
import {showPath, showText} from './names.js'
import {table} from './table.js'
import {humanSize, plural, shortCreatedBy} from './units.js'

export interface DiffTextOptions {
  /** Show runtime-file changes inline instead of only counting them. */
  runtime: boolean
  /** Unified diffs of changed text files, keyed by path. */
  patches?: Map<string, string>
}

const MARK = {added: 'A', removed: 'D', modified: 'M'} as const

export function renderDiff(r: DiffResult, options: DiffTextOptions): string {
  const out: string[] = [imageHeader('A', r.a), imageHeader('B', r.b), '']
  for (const [label, side] of [['A', r.a], ['B', r.b]] as const) {
    if (side.warnings.length === 0) continue
    out.push(`Unusual names in ${label} (placed where Docker places them; --strict makes them errors):`, ...side.warnings.slice(0, 10).map((w) => `  ! ${showText(w)}`))
    if (side.warnings.length > 10) out.push(`  ... and ${side.warnings.length - 10} more`)
    out.push('')
  }
  if (r.lost) out.push(lostText(r), '')
  if (r.exportMatch) out.push(matchText(r.exportMatch), '')
  if (r.a.kind === 'image' && r.b.kind === 'image') out.push(layersText(r), '')
  if (r.config && r.config.length > 0) {
    out.push('Config:', ...r.config.map((c) => `  ${c.field}: ${JSON.stringify(c.a)} -> ${JSON.stringify(c.b)}`), '')
  }
  if (r.history && r.history.some((h) => h.status !== 'same')) {
    out.push('History:', ...r.history.filter((h) => h.status !== 'same').map((h) => `  step ${h.step} ${h.status}: ${shortCreatedBy(h.a) || '-'}  |  ${shortCreatedBy(h.b) || '-'}`), '')
  }
  out.push(...filesText(r, options), '')
  out.push(sizesText(r))
  out.push(verdict(r))
  return out.join('\n')
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

function lostText(r: DiffResult): string {
  const l = r.lost!
  const flat = l.side === 'a' ? 'A' : 'B'
  const full = l.side === 'a' ? 'B' : 'A'
  const what = l.because === 'export' ? 'a container export' : 'an image imported from an export (docker import)'
  const lines = [
    `History lost: ${flat} is ${what}. Compared with ${full} it has lost:`,
    `  - ${plural(l.history, 'history entry', 'history entries')} and ${plural(l.layers, 'layer')} (one flat filesystem instead)`,
  ]
  lines.push(l.config.length > 0 ? `  - config: ${l.config.join(', ')}` : '  - config: none was set')
  lines.push(l.repoTags.length > 0 ? `  - tags: ${l.repoTags.join(', ')}` : '  - tags: none (untagged)')
  return lines.join('\n')
}

function layersText(r: DiffResult): string {
  const rows = r.layers.map((l) => [
    l.index + 1,
    l.a ? shortId(l.a.diffId) : '-',
    l.b ? shortId(l.b.diffId) : '-',
    l.status,
    shortCreatedBy((l.b ?? l.a)?.createdBy, 50),
  ])
  return 'Layers:\n' + table(['#', 'A diff_id', 'B diff_id', 'status', 'created by'], rows)
}

function changeLine(f: FileChange, r: DiffResult): string {
  const what = f.change === 'modified' ? `  ${f.fields.join(',')}` : ''
  const detail = f.change === 'modified' ? describeFields(f) : ''
  const side = r.b.kind === 'image' ? r.b : r.a
  const layer = f.layer === null ? '' : `  (layer ${f.layer + 1}${side.layers[f.layer] ? ` ${shortId(side.layers[f.layer].diffId)}` : ''})`
  const type = (f.b ?? f.a)!.type
  return `  ${MARK[f.change]} ${showPath(f.path + (type === 'dir' ? '/' : ''))}${what}${detail}${layer}`
}

function describeFields(f: FileChange): string {
  const a = f.a!
  const b = f.b!
  const bits: string[] = []
  if (f.fields.includes('type')) bits.push(`${a.type} -> ${b.type}`)
  if (f.fields.includes('size')) bits.push(`${humanSize(a.size)} -> ${humanSize(b.size)}`)
  if (f.fields.includes('mode')) bits.push(`${a.mode} -> ${b.mode}`)
  if (f.fields.includes('uid') || f.fields.includes('gid')) bits.push(`${a.uid}:${a.gid} -> ${b.uid}:${b.gid}`)
  if (f.fields.includes('link')) bits.push(`-> ${a.linkTarget} became -> ${b.linkTarget}`)
  return bits.length > 0 ? ` [${bits.join('; ')}]` : ''
}

function filesText(r: DiffResult, options: DiffTextOptions): string[] {
  const s = r.summary
  const shown = r.files.filter((f) => options.runtime || !f.runtime)
  const head = `Files: ${s.added} added, ${s.removed} removed, ${s.modified} modified` +
    (s.runtime > 0 ? `; ${plural(s.runtime, 'runtime file')} (made by a container, not by the image)${options.runtime ? ' marked R' : ' not shown, --runtime shows them'}` : '')
  const lines = [head]
  for (const f of shown) {
    const line = changeLine(f, r)
    lines.push(f.runtime ? line.replace(/^ {2}/, 'R ') : line)
    const patch = options.patches?.get(f.path)
    if (patch) lines.push(patch.replace(/\n$/, '').split('\n').map((l) => '      ' + l).join('\n'))
  }
  return lines
}

function sizesText(r: DiffResult): string {
  const lines: string[] = []
  for (const [label, side, size] of [['A', r.a, r.sizes.a], ['B', r.b, r.sizes.b]] as const) {
    const stored = `Size ${label}: ${humanSize(size.bytes)} as stored (${formatLabel(side.format)}${size.compression === 'none' ? '' : `, ${size.compression}-compressed`})`
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
