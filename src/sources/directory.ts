import {type Stats} from 'node:fs'
import {lstat, readdir, readlink} from 'node:fs/promises'
import {createReadStream} from 'node:fs'
import {PassThrough, type Readable} from 'node:stream'
import {encodeHeader, END_OF_ARCHIVE, padding, type TarHeader} from '../archive/tar-header.js'
import {decodeName} from '../archive/tar-names.js'

/**
 * A directory as the tar its contents make, so every reader takes it as it takes an archive: an
 * OCI image layout or an unpacked `docker save` becomes that archive, a root filesystem becomes a
 * container export (names as bytes, owner, mode, mtime, symlinks, devices, and hard links as
 * links to the first name, as `tar -C DIR -c .` would write them; extended attributes are not
 * read). Walked in name order, one file open at a time.
 */
export function directoryTar(root: string): Readable {
  const out = new PassThrough({highWaterMark: 4 * 1024 * 1024})
  const seen = new Map<string, string>()
  const write = async (chunk: Buffer) => {
    if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve))
  }
  const walk = async (dir: Buffer, rel: string) => {
    const names = (await readdir(dir, {encoding: 'buffer'})).sort(Buffer.compare)
    for (const raw of names) {
      const full = Buffer.concat([dir, Buffer.from('/'), raw])
      const name = rel === '' ? decodeName(raw) : `${rel}/${decodeName(raw)}`
      const st = await lstat(full)
      const h = header(name, st)
      if (!h) continue
      if (h.type === 'symlink') h.linkname = decodeName(await readlink(full, {encoding: 'buffer'}))
      if (h.type === 'file' && st.nlink > 1) {
        const key = `${st.dev}:${st.ino}`
        const first = seen.get(key)
        if (first !== undefined) {
          await write(encodeHeader({...h, type: 'hardlink', size: 0, linkname: first}))
          continue
        }
        seen.set(key, name)
      }
      await write(encodeHeader(h))
      if (h.type === 'file' && h.size > 0) {
        let sent = 0
        for await (const c of createReadStream(full, {end: h.size - 1, highWaterMark: 1024 * 1024})) {
          sent += (c as Buffer).length
          await write(c as Buffer)
        }
        if (sent !== h.size) throw new Error(`${name} changed size while it was read`)
        const pad = padding(h.size)
        if (pad > 0) await write(Buffer.alloc(pad))
      }
      if (h.type === 'dir') await walk(full, name)
    }
  }
  walk(Buffer.from(root), '').then(
    () => out.end(END_OF_ARCHIVE),
    (error: unknown) => out.destroy(error as Error),
  )
  return out
}

function header(name: string, st: Stats): TarHeader | null {
  const base = {name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: 0, mtime: Math.floor(st.mtimeMs / 1000)}
  if (st.isFile()) return {...base, type: 'file', size: st.size}
  if (st.isDirectory()) return {...base, type: 'dir'}
  if (st.isSymbolicLink()) return {...base, type: 'symlink', mode: 0o777}
  if (st.isFIFO()) return {...base, type: 'fifo'}
  if (st.isCharacterDevice() || st.isBlockDevice()) {
    return {...base, type: st.isCharacterDevice() ? 'char' : 'block', devmajor: (st.rdev >>> 8) & 0xfff, devminor: (st.rdev & 0xff) | ((st.rdev >>> 12) & 0xfff00)}
  }
  return null // sockets: a tar cannot hold one
}
