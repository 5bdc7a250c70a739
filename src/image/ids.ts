import {digestOf} from '../archive/hash.js'
import {ImgdiffError} from '../errors.js'
import {type Layer} from './model.js'

/** chain_id(1) = diff_id(1); chain_id(n) = sha256("<chain_id(n-1)> <diff_id(n)>"); unknown from an unknown diff_id on. */
export function chainIds(diffIds: string[]): string[]
export function chainIds(diffIds: Array<string | null>): Array<string | null>
export function chainIds(diffIds: Array<string | null>): Array<string | null> {
  const out: Array<string | null> = []
  for (const d of diffIds) {
    const below = out.at(-1)
    out.push(out.length === 0 ? d : d === null || below === null || below === undefined ? null : digestOf(`${below} ${d}`))
  }
  return out
}

/** The diff_ids of layers that have them all (an image's: only an export's can be unread). */
export function knownDiffIds(layers: Array<Pick<Layer, 'diffId'>>): string[] {
  return layers.map((l, i) => {
    if (l.diffId === null) throw new ImgdiffError(`layer ${i + 1}'s diff_id was not read`)
    return l.diffId
  })
}

/** The 12-character short form Docker prints (`sha256:` dropped). */
export function shortId(id: string | null | undefined): string {
  if (!id) return '<missing>'
  return id.replace(/^sha256:/, '').slice(0, 12)
}
