import {shortId} from '../image/ids.js'
import {type Step} from '../image/steps.js'
import {type ImageSummary} from '../image/summary.js'
import {imageHeader} from './image-header.js'
import {fit, type Style, wrapWords} from './style.js'
import {columns} from './table.js'
import {dockerAgo, dockerSize, shortCreatedBy} from './units.js'

export interface InspectTextOptions {
  /** Show CREATED BY whole, and times as recorded (RFC 3339), as `docker history --no-trunc`. */
  noTrunc: boolean
  now?: number
}

/**
 * An image the way `docker history` shows it (newest step first, with the step numbers and
 * image ids `imgdiff rollback --to` takes), after a header and the runtime config; then the
 * layers. Every row fits the terminal's width: CREATED BY is what gives way.
 */
export function renderInspect(s: ImageSummary, steps: Step[], style: Style, options: InspectTextOptions): string {
  const c = style.color
  const out = [imageHeader('Image', s, style), '']
  if (s.kind === 'image') {
    const cfg = (s.config?.config ?? {}) as Record<string, unknown>
    for (const k of ['Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User', 'ExposedPorts', 'Volumes', 'Labels', 'StopSignal']) {
      const v = cfg[k]
      if (v === undefined || v === null || v === '' || (typeof v === 'object' && Object.keys(v).length === 0)) continue
      const text = Array.isArray(v) || typeof v === 'object' ? JSON.stringify(v) : String(v)
      out.push(fit(`${c.bold(k)}: ${text}`, options.noTrunc ? null : style.width))
    }
    out.push('', c.bold(wrapWords('History (newest first; STEP and IMAGE work with `imgdiff rollback --to`):', options.noTrunc ? null : style.width)))
    const hasComment = steps.some((st) => st.comment)
    const rows = [...steps].reverse().map((st) => {
      const createdBy = st.createdBy ? shortCreatedBy(st.createdBy, Number.POSITIVE_INFINITY) : ''
      const row = [
        String(st.step),
        st.imageId ? (options.noTrunc ? st.imageId : shortId(st.imageId)) : '<missing>',
        options.noTrunc ? (st.created ?? '') : dockerAgo(st.created, options.now),
        options.noTrunc ? (st.createdBy ?? '') : createdBy,
        dockerSize(st.size),
      ]
      if (hasComment) row.push(st.comment ?? '')
      return row
    })
    const head = ['STEP', 'IMAGE', 'CREATED', 'CREATED BY', 'SIZE', ...(hasComment ? ['COMMENT'] : [])]
    out.push(columns(head, rows, {width: options.noTrunc ? null : style.width, flexible: 3, bold: c.bold}))
    out.push('')
  }
  const layers = s.layers.map((l, i) => [String(i + 1), options.noTrunc ? (l.diffId ?? shortId(null)) : shortId(l.diffId), options.noTrunc ? (l.chainId ?? shortId(null)) : shortId(l.chainId), dockerSize(l.size), l.compression, String(l.files)])
  out.push(c.bold('Layers (oldest first):'), columns(['#', 'DIFF_ID', 'CHAIN_ID', 'STORED', 'COMPRESSION', 'FILES'], layers, {width: options.noTrunc ? null : style.width, flexible: null, bold: c.bold}))
  if (s.warnings.length > 0) out.push('', c.bold('Warnings:'), ...s.warnings.map((w) => `  ${w}`))
  return out.join('\n')
}
