import {type Compression} from '../archive/compression.js'
import {errorMessage} from '../errors.js'

/** What went wrong reading an archive as a tar, in words for the user: not a tar, truncated, corrupted. */
export function describeTarFailure(error: unknown, seen: number, lastName: string, compression: Compression): string {
  const msg = errorMessage(error)
  if (seen === 0 && /invalid tar header|not a tar|unexpected end/i.test(msg)) {
    return compression === 'none' ? 'is not a tar archive' : `is ${compression}-compressed but what it holds is not a tar archive`
  }
  if (/unexpected end|premature|truncated|end of file/i.test(msg)) {
    return `is truncated (the archive ends inside${lastName ? ` '${lastName}'` : ' the first entry'})`
  }
  return `is corrupted after ${seen} entries${lastName ? ` (last: '${lastName}')` : ''}: ${msg}`
}
