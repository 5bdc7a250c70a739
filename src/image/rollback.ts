import {UsageError} from '../errors.js'
import {digestOf} from '../archive/hash.js'
import {type BaseImage, replayConfig} from './config-replay.js'
import {FlatFs} from './flatten.js'
import {type Image, type Layer, runtimeConfig, type RuntimeConfig} from './model.js'
import {type Step} from './steps.js'

export interface RollbackOptions {
  /** NAME:TAG for the result; default: the source's name with `step-N` as tag. */
  tag?: string
  /** replay: the config as it was at that step; keep: the final config unchanged. */
  configMode: 'replay' | 'keep'
  /** The base image, when the user has it: its config fills what the history does not record. */
  base?: Image
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
  if (!/^[a-z0-9][a-z0-9._\-/:]*:[\w][\w.-]{0,127}$/.test(t)) throw new UsageError(`--tag ${tag}: a tag must look like name:tag (lowercase name)`)
  return t
}

/** The base must be this image's own beginning: the same first layers and history steps. */
function baseOf(image: Image, base: Image): BaseImage {
  const layersMatch = base.layers.length <= image.layers.length && base.layers.every((l, i) => l.diffId === image.layers[i].diffId)
  const historyMatch = base.history.length <= image.history.length && base.history.every((h, i) => h.created === image.history[i].created && h.createdBy === image.history[i].createdBy)
  if (!layersMatch || !historyMatch) {
    throw new UsageError(`--base ${base.path} is not the base of ${image.path}: its layers and history are not where this image begins`)
  }
  return {config: runtimeConfig(base), steps: base.history.length}
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
  // Layers are copied byte for byte, so an image Docker cannot unpack stays one: say so before writing.
  FlatFs.of(layers)
  let runtime: RuntimeConfig
  let inexact: string[] = []
  if (options.configMode === 'keep') {
    runtime = runtimeConfig(image)
  } else if (image.stepConfigs) {
    runtime = image.stepConfigs[cut] ?? {}
  } else {
    const replay = replayConfig(runtimeConfig(image), image.history, cut, options.base ? baseOf(image, options.base) : undefined)
    runtime = replay.config
    inexact = replay.inexact
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
    repoTags: [options.tag ? normalizeTag(options.tag) : defaultTag(image, step)],
    step,
    inexact,
  }
}
