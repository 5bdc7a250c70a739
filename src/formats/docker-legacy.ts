import {BadArchiveError} from '../errors.js'
import {type HistoryEntry, type Image, type Layer, type RuntimeConfig} from '../image/model.js'
import {type Members} from './members.js'
import {type ReadOptions} from './options.js'

interface V1Json {
  id?: string
  parent?: string
  created?: string
  author?: string
  comment?: string
  container_config?: {Cmd?: string[] | null}
  config?: RuntimeConfig | null
  architecture?: string
  os?: string
}

const ID = /^[0-9a-f]{64}$/

/**
 * `docker save` before 1.10: one directory per step (`<id>/json`, `<id>/layer.tar`), a parent
 * chain, and `repositories` naming the tagged tops. Each step carries its own config, so a
 * rollback can restore it exactly.
 */
export function readDockerLegacy(m: Members, options: ReadOptions): Image[] {
  const steps = new Map<string, V1Json>()
  for (const name of m.scan.members.keys()) {
    const match = /^([0-9a-f]{64})\/json$/.exec(name)
    if (match) steps.set(match[1], m.json<V1Json>(name, 'legacy image json').value ?? {})
  }
  if (steps.size === 0) throw new BadArchiveError(m.path, 'has a repositories file but no <id>/json image directories')
  const tags = new Map<string, string[]>()
  const repos = m.maybeJson<Record<string, Record<string, string>>>('repositories', 'repositories')?.value ?? {}
  for (const [repo, byTag] of Object.entries(repos ?? {})) {
    for (const [tag, id] of Object.entries(byTag ?? {})) {
      if (!steps.has(id)) throw new BadArchiveError(m.path, `repositories names ${repo}:${tag} -> ${id}, which is not in the archive`)
      tags.set(id, [...(tags.get(id) ?? []), `${repo}:${tag}`])
    }
  }
  const parents = new Set([...steps.values()].map((s) => s.parent).filter(Boolean))
  const tops = tags.size > 0 ? [...tags.keys()] : [...steps.keys()].filter((id) => !parents.has(id))
  return tops.map((top) => readChain(m, steps, top, tags.get(top) ?? [], options))
}

function readChain(m: Members, steps: Map<string, V1Json>, top: string, repoTags: string[], options: ReadOptions): Image {
  const chain: string[] = []
  for (let id: string | undefined = top; id; id = steps.get(id)?.parent) {
    if (!ID.test(id) || !steps.has(id)) throw new BadArchiveError(m.path, `image ${top.slice(0, 12)} has parent ${id}, which is not in the archive`)
    if (chain.includes(id)) throw new BadArchiveError(m.path, `image ${top.slice(0, 12)} has a parent loop at ${id.slice(0, 12)}`)
    chain.unshift(id)
  }
  const layers: Layer[] = []
  const history: HistoryEntry[] = []
  for (const id of chain) {
    const step = steps.get(id)!
    const member = `${id}/layer.tar`
    const empty = !m.has(member) || m.resolve(member, 'layer').size === 0
    if (!empty) layers.push(m.layer(member, layers.length, undefined, options.verify))
    const entry: HistoryEntry = {emptyLayer: empty}
    if (step.created) entry.created = step.created
    const cmd = step.container_config?.Cmd
    if (Array.isArray(cmd) && cmd.length > 0) entry.createdBy = cmd.join(' ')
    if (step.author) entry.author = step.author
    if (step.comment) entry.comment = step.comment
    history.push(entry)
  }
  const last = steps.get(top)!
  const config: Record<string, unknown> = {
    architecture: last.architecture ?? 'amd64',
    os: last.os ?? 'linux',
    created: last.created,
    config: last.config ?? {},
    rootfs: {type: 'layers', diff_ids: layers.map((l) => l.diffId)},
    history: history.map((h) => ({created: h.created, created_by: h.createdBy, author: h.author, comment: h.comment, ...(h.emptyLayer ? {empty_layer: true} : {})})),
  }
  return {
    path: m.path,
    origin: m.scan.archive.origin,
    reopen: m.scan.archive.reopen,
    kind: 'image',
    format: 'docker-save-legacy-v1',
    compression: m.scan.archive.compression,
    imageId: top,
    repoTags,
    layers,
    history,
    config,
    stepConfigs: chain.map((id) => steps.get(id)!.config ?? null),
    stepIds: chain,
    bytes: m.scan.archive.bytes,
    metadataBytes: m.metadataBytes(layers),
    warnings: [],
  }
}
