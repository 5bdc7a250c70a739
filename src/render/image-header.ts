import {formatLabel} from '../formats/labels.js'
import {shortId} from '../image/ids.js'
import {type ImageSummary} from '../image/summary.js'
import {humanSize, plural} from './units.js'

/** One line per archive: kind, format, id, tags, layers, history, size. */
export function imageHeader(label: string, s: ImageSummary): string {
  const parts = [
    s.kind,
    formatLabel(s.format) + (s.compression === 'none' ? '' : ` (${s.compression}-compressed)`),
    s.imageId ? `id ${shortId(s.imageId)}` : 'no image id',
    s.repoTags.length > 0 ? s.repoTags.join(', ') : 'untagged',
    plural(s.layers.length, 'layer'),
    s.kind === 'export' ? 'no history' : plural(s.history.length, 'history entry', 'history entries'),
    humanSize(s.bytes),
  ]
  return `${label}  ${s.path}\n   ${parts.join(' · ')}`
}
