import {type Readable} from 'node:stream'
import {decompressor, sniffCompression} from '../archive/compression.js'
import {walkTar} from '../archive/tar.js'
import {type FlatFs} from '../image/flatten.js'
import {fileEntryFromHeader} from '../image/file-entry.js'
import {type Image} from '../image/model.js'
import {addStream, packStream} from './pack.js'
import {forEachMember} from './source-bytes.js'
import {peekHead} from '../archive/peek-head.js'

/**
 * The image's filesystem as one tar (offline `docker export` minus runtime files): each layer is
 * read in order and a member is written only if it is what the merged view finally shows.
 * Whiteouts never reach the output; hard links stay links; hostile names are never written.
 */
export function writeRootfs(image: Image, flat: FlatFs): Readable {
  return packStream(async (pack) => {
    const layerOfMember = new Map<string, number[]>()
    image.layers.forEach((l, i) => layerOfMember.set(l.member!, [...(layerOfMember.get(l.member!) ?? []), i]))
    const written = new Set<string>()
    const copyLayer = async (layerIndexes: number[], body: Readable) => {
      const {head, rest} = await peekHead(body, 6)
      await walkTar([rest, decompressor(sniffCompression(head))], async (header, entry) => {
        const f = fileEntryFromHeader(header)
        if (!f || f.whiteout || f.hostile) return
        const final = flat.get(f.path)
        if (!final || !layerIndexes.includes(final.layer) || written.has(f.path) || final.type !== f.type) return
        written.add(f.path)
        const name = f.path.slice(1) + (f.type === 'dir' ? '/' : '')
        await addStream(
          pack,
          {
            name,
            type: header.type,
            size: f.type === 'file' ? header.size : 0,
            mode: header.mode,
            uid: header.uid,
            gid: header.gid,
            uname: header.uname,
            gname: header.gname,
            mtime: header.mtime,
            linkname: f.type === 'hardlink' ? f.linkTarget!.slice(1) : header.linkname,
            devmajor: header.devmajor,
            devminor: header.devminor,
          },
          entry,
        )
      })
    }
    await forEachMember(image, new Set(layerOfMember.keys()), (member, body) => copyLayer(layerOfMember.get(member)!, body))
  })
}
