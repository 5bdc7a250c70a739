import {type HistoryEntry} from './model.js'

interface ConfigHistory {
  created?: string
  created_by?: string
  author?: string
  comment?: string
  empty_layer?: boolean
}

/** The config's `history` array in the model's words. */
export function historyFromConfig(config: Record<string, unknown> | null): HistoryEntry[] {
  const raw = config?.history
  if (!Array.isArray(raw)) return []
  return raw.map((h: ConfigHistory) => {
    const entry: HistoryEntry = {}
    if (h && typeof h === 'object') {
      if (typeof h.created === 'string') entry.created = h.created
      if (typeof h.created_by === 'string') entry.createdBy = h.created_by
      if (typeof h.author === 'string') entry.author = h.author
      if (typeof h.comment === 'string') entry.comment = h.comment
      entry.emptyLayer = h.empty_layer === true
    }
    return entry
  })
}

/**
 * Each history step's index into the layers (the k-th non-empty step made layer k), or null for
 * metadata-only steps. Steps beyond the layers (a short history) map to null.
 */
export function layerOfStep(history: HistoryEntry[], layerCount: number): Array<number | null> {
  let next = 0
  return history.map((h) => (h.emptyLayer || next >= layerCount ? null : next++))
}

/** An image made by `docker import`: one layer, one history entry, no build steps. */
export function isImported(history: HistoryEntry[], layerCount: number): boolean {
  return layerCount <= 1 && history.length <= 1 && (history.length === 0 || /^Imported from/.test(history[0].comment ?? ''))
}
