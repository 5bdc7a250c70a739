import {UsageError} from '../errors.js'
import {digestOf} from '../archive/hash.js'
import {replayConfig} from './config-replay.js'
import {FlatFs} from './flatten.js'
import {type Image, type Layer, runtimeConfig, type RuntimeConfig} from './model.js'
import {stepsOf, type Step} from './steps.js'

export interface RollbackOptions {
  /** NAME:TAG for the result; default: the source's name with `step-N` as tag. */
  tag?: string
  /** replay: the config as it was at that step; keep: the final config unchanged. */
  configMode: 'replay' | 'keep'
  /** The base image, when the user has it: its config fills what the history does not record. */
  base?: Image
  /**
   * Other images that may begin this one (the rest of a multi-image archive): the longest that does
   * and ends at or before the step serves as the base, as `--base` would.
   */
  candidates?: Image[]
}

/** A new image: the source cut back to a step. Layers are the source's own, bytes unchanged. */
export interface RolledBackImage {
  config: Record<string, unknown>
  configBytes: Buffer
  imageId: string
  layers: Layer[]
  repoTags: string[]
  step: Step
  /** What could not be restored exactly (config fields that fell back). */
  inexact: string[]
}

export function normalizeTag(tag: string): string {
  const t = tag.includes(':') && !tag.slice(tag.lastIndexOf(':')).includes('/') ? tag : `${tag}:latest`
  const at = t.lastIndexOf(':')
  if (!REFERENCE_NAME.test(t.slice(0, at)) || !/^\w[\w.-]{0,127}$/.test(t.slice(at + 1))) {
    throw new UsageError(`--tag ${tag}: a tag must look like name:tag (lowercase name, after registry[:port]/ if any)`)
  }
  return t
}

/** Docker's reference grammar for a name: lowercase components, an optional registry (with a port) first. */
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const REFERENCE_NAME = new RegExp(`^(?:[A-Za-z0-9.-]+(?::[0-9]+)?/)?${COMPONENT}(?:/${COMPONENT})*$`)

/** Whether `base` is this image's own beginning: the same first layers and history steps. */
function begins(image: Image, base: Image): boolean {
  if (base.kind !== 'image' || base === image || base.history.length === 0) return false
  const layersMatch = base.layers.length <= image.layers.length && base.layers.every((l, i) => l.diffId === image.layers[i].diffId)
  const historyMatch = base.history.length <= image.history.length && base.history.every((h, i) => h.created === image.history[i].created && h.createdBy === image.history[i].createdBy)
  return layersMatch && historyMatch
}

/** The base to replay from: --base (which must begin the image), else the longest candidate that does, up to the step. */
function chooseBase(image: Image, cut: number, options: RollbackOptions): Image | undefined {
  if (options.base) {
    if (!begins(image, options.base)) {
      throw new UsageError(`--base ${options.base.path} is not the base of ${image.path}: its layers and history are not where this image begins`)
    }
    return options.base
  }
  const fits = (options.candidates ?? []).filter((c) => begins(image, c) && c.history.length - 1 <= cut)
  return fits.sort((x, y) => y.history.length - x.history.length)[0]
}

function defaultTag(image: Image, step: Step): string {
  const first = image.repoTags[0]
  const name = first ? first.slice(0, first.lastIndexOf(':') > first.lastIndexOf('/') ? first.lastIndexOf(':') : undefined) : 'imgdiff-rollback'
  return `${name}:step-${step.step}`
}

/** The truncation recipe of formats.md: diff_ids and history cut at the step, config at that step. */
export function rollbackImage(image: Image, step: Step, options: RollbackOptions): RolledBackImage {
  if (image.kind !== 'image' || !image.config) throw new UsageError(`${image.path} is a container export: it has no layers or history to roll back (imgdiff import makes an image of it)`)
  if (step.layersSoFar === 0) throw new UsageError(`step ${step.step} comes before the first layer; an image needs at least one layer`)
  const cut = step.step - 1
  const layers = image.layers.slice(0, step.layersSoFar)
  // Layers are copied byte for byte, so an image Docker cannot unpack stays one: say so before
  // writing, when their members were read (else the copy finds them: write/unpack-check.ts).
  FlatFs.of(layers)
  if (options.configMode === 'keep' && options.base) throw new UsageError('--config keep keeps the final config, so --base has nothing to add: give one or the other')
  const base = options.configMode === 'keep' ? undefined : chooseBase(image, cut, options)
  if (cut === image.history.length - 1 && image.configBytes) {
    // The last step is the image itself: its own config, byte for byte, so its id is the image's id.
    return exactly(image, image.configBytes, layers, step, options)
  }
  if (base && base.history.length - 1 === cut && base.layers.length === layers.length && base.configBytes) {
    // The step is the base image itself: its own config, byte for byte, so its id is the base's id.
    return exactly(image, base.configBytes, layers, step, options)
  }
  let runtime: RuntimeConfig
  let inexact: string[] = []
  if (options.configMode === 'keep') {
    runtime = runtimeConfig(image)
  } else if (image.stepConfigs) {
    runtime = image.stepConfigs[cut] ?? {}
  } else {
    const replay = replayConfig(runtimeConfig(image), image.history, cut, base ? {config: runtimeConfig(base), steps: base.history.length} : undefined)
    runtime = replay.config
    inexact = replay.inexact
  }
  if (typeof runtime.Image === 'string' && options.configMode !== 'keep') {
    // The classic builder names the parent step's image here; the final config names the final image's parent.
    runtime.Image = (cut > 0 ? stepsOf(image)[cut - 1].imageId : null) ?? ''
  }
  const history = Array.isArray(image.config.history) ? (image.config.history as unknown[]).slice(0, cut + 1) : []
  const config: Record<string, unknown> = {...image.config}
  config.config = runtime
  config.rootfs = {type: 'layers', diff_ids: layers.map((l) => l.diffId)}
  config.history = history
  if (image.history[cut]?.created) config.created = image.history[cut].created
  delete config.container_config
  delete config.container
  const configBytes = Buffer.from(JSON.stringify(config))
  return {
    config,
    configBytes,
    imageId: digestOf(configBytes),
    layers,
    repoTags: [tagFor(image, step, options)],
    step,
    inexact,
  }
}

/** A step whose very config the archive holds (base64, as the model keeps it): the same image, same id. */
function exactly(image: Image, configBase64: string, layers: Layer[], step: Step, options: RollbackOptions): RolledBackImage {
  const configBytes = Buffer.from(configBase64, 'base64')
  const config = JSON.parse(configBytes.toString('utf8')) as Record<string, unknown>
  return {config, configBytes, imageId: digestOf(configBytes), layers, repoTags: [tagFor(image, step, options)], step, inexact: []}
}

function tagFor(image: Image, step: Step, options: RollbackOptions): string {
  return options.tag ? normalizeTag(options.tag) : defaultTag(image, step)
}
