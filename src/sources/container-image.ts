import {UsageError} from '../errors.js'
import {dockerEngine, EngineError, engineJson, podmanEngine} from './engine.js'
import {parseSource} from './parse.js'

/**
 * For `imgdiff container:ID` alone: the image the container was created from, as a source in the
 * same engine (`docker:<image id>`), so the export is compared with its own image.
 */
export async function imageOfContainer(arg: string): Promise<string> {
  const spec = parseSource(arg)
  if (spec.kind !== 'container') throw new UsageError(`give two archives to compare (one is enough only for a container, container:ID, which is compared with its image)`)
  const engine = spec.engine === 'docker' ? dockerEngine() : podmanEngine()
  const found = await engineJson<{Image?: string}>(engine, `/containers/${encodeURIComponent(spec.ref)}/json`)
  if (!found?.Image) throw new EngineError(`the ${engine.product} engine at ${engine.address} has no container '${spec.ref}' (${engine.product.toLowerCase()} ps -a lists them)`)
  return `${spec.engine}:${found.Image.replace(/^sha256:/, '')}`
}
