import {shortId} from '../image/ids.js'
import {type Step} from '../image/steps.js'
import {type ImageSummary} from '../image/summary.js'
import {imageHeader} from './image-header.js'
import {table} from './table.js'
import {humanSize, shortCreatedBy} from './units.js'

/** `docker history`-style table, then the layers with their diff_ids. */
export function renderInspect(s: ImageSummary, steps: Step[]): string {
  const out = [imageHeader('Image', s), '']
  if (s.kind === 'image') {
    const cfg = (s.config?.config ?? {}) as Record<string, unknown>
    for (const k of ['Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User', 'ExposedPorts', 'Volumes', 'Labels']) {
      if (cfg[k] !== undefined && cfg[k] !== null && cfg[k] !== '') out.push(`  ${k}: ${JSON.stringify(cfg[k])}`)
    }
    out.push('')
    const rows = steps.map((st) => [
      st.step,
      st.v1Id ? shortId(st.v1Id) : st.chainId ? shortId(st.chainId) : '<missing>',
      st.created ?? '',
      shortCreatedBy(st.createdBy, 50),
      humanSize(st.size),
      st.comment ?? '',
    ])
    out.push('History (oldest first; STEP and ID work with `imgdiff rollback --to`):', table(['STEP', 'ID', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'], rows), '')
  }
  const layers = s.layers.map((l, i) => [i + 1, l.diffId, humanSize(l.size), l.compression, l.v1Id ? shortId(l.v1Id) : '', l.files])
  out.push('Layers:', table(['#', 'DIFF_ID', 'STORED', 'COMPRESSION', 'V1 ID', 'FILES'], layers))
  if (s.warnings.length > 0) out.push('', 'Warnings:', ...s.warnings.map((w) => `  ${w}`))
  return out.join('\n')
}
