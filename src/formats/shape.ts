import {type Scan} from './scan.js'
import {isSkopeoDir} from './skopeo-dir.js'

export type Shape = 'docker-save' | 'skopeo-dir' | 'oci-layout' | 'docker-legacy' | 'export'

/** Which shape an archive is, decided from what it holds (never from its file name). */
export function detectShape(scan: Scan): Shape {
  const has = (n: string) => scan.members.has(n)
  if (has('manifest.json')) return isSkopeoDir(scan.members.get('manifest.json')?.doc) ? 'skopeo-dir' : 'docker-save'
  if (has('index.json') && has('oci-layout')) return 'oci-layout'
  if (has('repositories') || [...scan.members.keys()].some((n) => /^[0-9a-f]{64}\/json$/.test(n))) return 'docker-legacy'
  return 'export'
}
