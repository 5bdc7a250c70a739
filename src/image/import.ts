import {digestOf} from '../archive/hash.js'
import {UsageError} from '../errors.js'
import {applyInstructions} from './config-replay.js'
import {FlatFs} from './flatten.js'
import {knownDiffIds} from './ids.js'
import {parseHealthcheck} from './healthcheck.js'
import {type Image, type RuntimeConfig} from './model.js'
import {normalizeTag} from './rollback.js'

export interface ImportedImage {
  configBytes: Buffer
  imageId: string
  diffId: string
  repoTags: string[]
}

/** What `docker import` makes of a rootfs tar: one layer (the tar as it is), one history entry. */
export function importImage(rootfs: Image, tag: string, changes: string[], now = new Date()): ImportedImage {
  // docker import unpacks the tar as one layer (whiteouts and all): what it would refuse is refused here.
  FlatFs.of(rootfs.layers.map((l) => ({...l, markers: true})))
  const runtime: RuntimeConfig = {}
  checkChanges(changes)
  applyInstructions(runtime, changes)
  const [diffId] = knownDiffIds(rootfs.layers)
  const created = now.toISOString()
  const config = {
    architecture: 'amd64',
    config: runtime,
    created,
    history: [{created, comment: 'Imported from -'}],
    os: 'linux',
    rootfs: {type: 'layers', diff_ids: [diffId]},
  }
  const configBytes = Buffer.from(JSON.stringify(config))
  return {configBytes, imageId: digestOf(configBytes), diffId, repoTags: [normalizeTag(tag)]}
}

/**
 * What `docker import --change` takes (moby's list of commit commands). STOPSIGNAL came with
 * Docker 23 (Docker 20.10 refuses it); SHELL, ARG, MAINTAINER, RUN and the rest no Docker takes.
 */
const CHANGEABLE = ['CMD', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'HEALTHCHECK', 'LABEL', 'ONBUILD', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR']

/** `--change` instructions, checked before anything is read: each one must be one Docker's import takes. */
export function checkChanges(changes: string[]): void {
  for (const change of changes) {
    const words = change.trim().split(/\s+/)
    const word = words[0]?.toUpperCase() ?? ''
    if (!CHANGEABLE.includes(word)) throw new UsageError(`--change '${change}': docker import does not take ${word || 'an empty instruction'} (it takes ${CHANGEABLE.join(', ')})`)
    if (words.length === 1) {
      throw new UsageError(`--change '${change}': ${word} needs an argument, e.g. --change '${word === 'CMD' || word === 'ENTRYPOINT' ? `${word} ["sh"]` : `${word} ...`}'`)
    }
    if (word === 'HEALTHCHECK') {
      const check = parseHealthcheck(change.trim().slice(word.length))
      if (typeof check === 'string') throw new UsageError(`--change '${change}': ${check}`)
    }
    if (applyInstructions({}, [change]) !== null) throw new UsageError(`--change '${change}': ${word} could not be read as Docker reads it`)
  }
}
