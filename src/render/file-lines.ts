import {type FileChange} from '../compare/file-diff.js'
import {type FileMeta} from '../compare/file-meta.js'
import {shortId} from '../image/ids.js'
import {showPath} from './names.js'
import {fit, type Style} from './style.js'
import {humanSize, sizeChange} from './units.js'

export const MARK = {added: 'A', removed: 'D', modified: 'M'} as const

/**
 * One changed path, as git's name-status with details: `A path  size`, `D path  size`, or
 * `M path  field old -> new, ...`, then the layer it comes from. On a terminal the details give
 * way to the width; the path never does.
 */
export function changeLine(f: FileChange, style: Style, runtimeMark = false): string {
  const c = style.color
  const paint = f.change === 'added' ? c.green : f.change === 'removed' ? c.red : c.yellow
  const side = (f.b ?? f.a)!
  const head = `${runtimeMark && f.runtime ? 'R' : ' '} ${paint(MARK[f.change])} ${paint(showPath(f.path + (side.type === 'dir' ? '/' : '')))}`
  const detail = f.change === 'modified' ? describeFields(f) : sizeOf(f.change === 'added' ? f.b! : f.a!)
  const layer = layerText(f)
  const full = `${head}${detail ? `  ${detail}` : ''}${layer ? c.dim(`  (${layer})`) : ''}`
  if (style.width === null || visible(full) <= style.width) return full
  const shorter = `${head}${detail ? `  ${detail}` : ''}`
  if (visible(shorter) <= style.width) return shorter
  return visible(head) >= style.width ? head : fit(shorter, style.width)
}

function visible(s: string): number {
  return [...s.replace(/\u001B\[[0-9;]*m/g, '')].length
}

function sizeOf(m: FileMeta): string {
  return m.type === 'file' ? humanSize(m.size) : m.type === 'symlink' ? `-> ${showPath(m.linkTarget ?? '')}` : m.type
}

/** Where the change comes from, as the text says it: `B layer 9 14a8d5d56bae`, `deleted by B layer 4 ...`. */
export function layerText(f: FileChange): string {
  if (!f.layer) return ''
  const where = `${f.layer.side.toUpperCase()} layer ${f.layer.number} ${shortId(f.layer.diffId)}`
  return f.layer.deleted ? `deleted by ${where}` : where
}

/** Each changed field, old -> new (only the fields compared: --ignore'd ones are not there). */
export function describeFields(f: FileChange): string {
  const a = f.a!
  const b = f.b!
  const bits: string[] = []
  for (const field of f.fields) {
    switch (field) {
      case 'type': {
        bits.push(`type ${a.type} -> ${b.type}`)
        break
      }

      case 'content': {
        bits.push('content')
        break
      }

      case 'size': {
        bits.push(`size ${sizeChange(a.size, b.size)}`)
        break
      }

      case 'mode': {
        bits.push(`mode ${a.mode} -> ${b.mode}`)
        break
      }

      case 'uid': {
        bits.push(`uid ${a.uid} -> ${b.uid}`)
        break
      }

      case 'gid': {
        bits.push(`gid ${a.gid} -> ${b.gid}`)
        break
      }

      case 'mtime': {
        bits.push(`mtime ${time(a.mtime)} -> ${time(b.mtime)}`)
        break
      }

      case 'link': {
        bits.push(`link ${showPath(a.linkTarget ?? '')} -> ${showPath(b.linkTarget ?? '')}`)
        break
      }

      case 'device': {
        bits.push('device numbers')
        break
      }

      case 'xattrs': {
        bits.push(`xattrs ${Object.keys(a.xattrs ?? {}).join(',') || 'none'} -> ${Object.keys(b.xattrs ?? {}).join(',') || 'none'}`)
        break
      }
    }
  }
  return bits.join(', ')
}

function time(mtime: number | null): string {
  return mtime === null ? 'unknown' : new Date(mtime * 1000).toISOString().replace('.000Z', 'Z')
}
