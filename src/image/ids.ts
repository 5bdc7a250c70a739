import {digestOf} from '../archive/hash.js'

/** chain_id(1) = diff_id(1); chain_id(n) = sha256("<chain_id(n-1)> <diff_id(n)>"). */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = []
  for (const d of diffIds) out.push(out.length === 0 ? d : digestOf(`${out.at(-1)} ${d}`))
  return out
}

/** The 12-character short form Docker prints (`sha256:` dropped). */
export function shortId(id: string | null | undefined): string {
  if (!id) return '<missing>'
  return id.replace(/^sha256:/, '').slice(0, 12)
}
