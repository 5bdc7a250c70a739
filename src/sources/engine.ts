import {existsSync} from 'node:fs'
import http, {type IncomingMessage} from 'node:http'
import {ImgdiffError} from '../errors.js'

/**
 * A container engine's Docker-compatible API (Docker, or Podman's `podman system service`), found
 * as the engines' own clients find it, spoken over its unix socket (or plain tcp). Bodies are
 * streamed, never held: an image from `GET /images/{name}/get` is read like a file.
 */
export interface Engine {
  product: 'Docker' | 'Podman'
  /** As the user would write it: `unix:///var/run/docker.sock`, `tcp://host:2375`. */
  address: string
  /** How it was chosen, for the hint in an error. */
  chosenBy: string
  socketPath?: string
  host?: string
  port?: number
}

export class EngineError extends ImgdiffError {
  constructor(message: string) {
    super(message)
    this.name = 'EngineError'
    this.code = 'engine'
  }
}

function fromAddress(product: Engine['product'], address: string, chosenBy: string): Engine {
  if (address.startsWith('unix://')) return {product, address, chosenBy, socketPath: address.slice('unix://'.length)}
  const tcp = /^tcp:\/\/([^:/]+):(\d+)\/?$/.exec(address)
  if (tcp) return {product, address, chosenBy, host: tcp[1], port: Number(tcp[2])}
  throw new EngineError(`${chosenBy} is ${address}: imgdiff speaks to an engine over unix:///path/to.sock or tcp://host:port (without TLS)`)
}

/** Docker: DOCKER_HOST, else /var/run/docker.sock (as the docker client does). */
export function dockerEngine(): Engine {
  if (process.env.DOCKER_HOST) {
    if (process.env.DOCKER_TLS_VERIFY) throw new EngineError('DOCKER_TLS_VERIFY is set: imgdiff does not speak TLS to an engine; point DOCKER_HOST at a unix socket instead')
    return fromAddress('Docker', process.env.DOCKER_HOST, 'DOCKER_HOST')
  }
  return fromAddress('Docker', 'unix:///var/run/docker.sock', 'the default, as DOCKER_HOST is not set')
}

/** Podman's service: CONTAINER_HOST, else the rootless then the rootful socket (as podman --remote does). */
export function podmanEngine(): Engine {
  if (process.env.CONTAINER_HOST) return fromAddress('Podman', process.env.CONTAINER_HOST, 'CONTAINER_HOST')
  const candidates = [process.env.XDG_RUNTIME_DIR ? `${process.env.XDG_RUNTIME_DIR}/podman/podman.sock` : '', '/run/podman/podman.sock'].filter(Boolean)
  const found = candidates.find((p) => existsSync(p)) ?? candidates.at(-1)!
  return fromAddress('Podman', `unix://${found}`, `the default, as CONTAINER_HOST is not set; tried ${candidates.join(', ')}`)
}

const HINT: Record<Engine['product'], string> = {
  Docker: 'DOCKER_HOST=unix:///path/docker.sock points imgdiff at another',
  Podman: 'start one with `podman system service`, or CONTAINER_HOST=unix:///path/podman.sock points imgdiff at another',
}

/** GET a path of the engine's API; the response streams. A 404 is `null` (the caller names what is missing). */
export function engineGet(engine: Engine, path: string): Promise<IncomingMessage | null> {
  return new Promise((resolve, reject) => {
    const req = http.request({method: 'GET', path, socketPath: engine.socketPath, host: engine.host ?? 'localhost', port: engine.port, headers: {Host: 'imgdiff'}}, (res) => {
      if (res.statusCode === 404) {
        res.resume()
        resolve(null)
        return
      }
      if (res.statusCode !== 200) {
        const parts: Buffer[] = []
        res.on('data', (c: Buffer) => parts.length < 16 && parts.push(c))
        res.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8')
          let message = text
          try {
            message = (JSON.parse(text) as {message?: string}).message ?? text
          } catch {}
          reject(new EngineError(`the ${engine.product} engine at ${engine.address} answered ${res.statusCode} to GET ${path}: ${message.trim().slice(0, 200)}`))
        })
        return
      }
      resolve(res)
    })
    req.setTimeout(15_000, () => req.destroy(Object.assign(new Error('timed out'), {code: 'ETIMEDOUT'})))
    req.on('error', (error: NodeJS.ErrnoException) => reject(connectError(engine, error)))
    req.end()
  })
}

function connectError(engine: Engine, error: NodeJS.ErrnoException): EngineError {
  const where = `${engine.address} (${engine.chosenBy})`
  switch (error.code) {
    case 'ENOENT':
    case 'ECONNREFUSED': {
      return new EngineError(`no ${engine.product} engine answers at ${where}; ${HINT[engine.product]}`)
    }

    case 'EACCES':
    case 'EPERM': {
      return new EngineError(`permission denied on ${where}: run as a user who may use that socket (e.g. in the docker group), or with sudo; ${HINT[engine.product]}`)
    }

    default: {
      return new EngineError(`cannot reach the ${engine.product} engine at ${where}: ${error.message}`)
    }
  }
}

/** A small JSON answer (image or container details, version). */
export async function engineJson<T>(engine: Engine, path: string): Promise<T | null> {
  const res = await engineGet(engine, path)
  if (!res) return null
  const parts: Buffer[] = []
  for await (const c of res) parts.push(c as Buffer)
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8')) as T
  } catch {
    throw new EngineError(`the ${engine.product} engine at ${engine.address} sent something that is not JSON for GET ${path}`)
  }
}
