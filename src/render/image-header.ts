import {formatLabel} from '../formats/labels.js'
import {shortId} from '../image/ids.js'
import {type ImageSummary} from '../image/summary.js'
import {showPath} from './names.js'
import {type Style} from './style.js'
import {humanSize, plural} from './units.js'

/** Where an archive came from, then what it is: kind, format, id, tags, platform, layers, history, size. */
export function imageHeader(label: string, s: ImageSummary, style: Style): string {
  const c = style.color
  const parts = [
    s.kind,
    formatLabel(s.format, s.source.kind === 'directory') + (s.compression === 'none' ? '' : ` (${s.compression}-compressed)`),
    s.imageId ? `id ${shortId(s.imageId)}` : 'no image id',
    s.repoTags.length > 0 ? s.repoTags.join(', ') : 'untagged',
    ...(s.platform ? [s.platform] : []),
    plural(s.layers.length, 'layer'),
    s.kind === 'export' ? 'no history' : plural(s.history.length, 'history entry', 'history entries'),
    humanSize(s.bytes),
  ]
  const o = s.source
  const from = o.engine ? [`from ${o.engine}${o.apiVersion ? ` (API ${o.apiVersion})` : ''} at ${o.address}${o.image ? `, created from image ${shortId(o.image)}` : ''}${o.spooled ? ', copied to a temp file to be read twice' : ''}`] : o.kind === 'stdin' || o.kind === 'fifo' ? [`read from ${o.kind === 'stdin' ? 'stdin' : 'a pipe'}${o.spooled ? ', copied to a temp file to be read twice' : ''}`] : []
  return `${c.bold(label)}  ${showPath(s.path)}\n${wrapParts([...from, ...parts], '   ', style.width)}`
}

/** Parts joined by ` · `, broken onto more lines (at a separator) where one would pass the width. */
export function wrapParts(parts: string[], indent: string, width: number | null): string {
  const lines: string[] = []
  let line = ''
  for (const p of parts) {
    const next = line === '' ? indent + p : `${line} · ${p}`
    if (width !== null && line !== '' && [...next].length > width) {
      lines.push(line)
      line = indent + p
    } else {
      line = next
    }
  }
  if (line !== '') lines.push(line)
  return lines.join('\n')
}
