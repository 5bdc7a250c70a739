import {type Readable} from 'node:stream'
import {sha256Hex} from '../archive/hash.js'
import {type ImportedImage} from '../image/import.js'
import {type Image} from '../image/model.js'
import {EPOCH, pack} from './pack.js'
import {type Producer} from './safe-output.js'
import {plainTarChain} from '../sources/open.js'
import {PassThrough} from 'node:stream'
import {pipeline} from 'node:stream/promises'

/**
 * A docker save holding the imported image. The layer is the rootfs tar's plain bytes, unchanged,
 * so its diff_id is the sha256 of that tar, as `docker import` records it.
 */
export function writeImportArchive(rootfs: Image, image: ImportedImage): Producer {
  return (sink) => pack(sink, async (out) => {
    const configHex = sha256Hex(image.configBytes)
    const layerDir = sha256Hex(`imgdiff import ${image.diffId}`)
    await out.file(`${configHex}.json`, image.configBytes)
    const plain = new PassThrough({highWaterMark: 1024 * 1024})
    const copying = pipeline([...plainTarChain(rootfs), plain] as unknown as [Readable, PassThrough])
    await Promise.all([copying, out.copy({name: `${layerDir}/layer.tar`, size: rootfs.layers[0].uncompressedSize, mtime: EPOCH, mode: 0o644, uid: 0, gid: 0, type: 'file'}, plain)])
    await out.file(`${layerDir}/VERSION`, '1.0')
    await out.file(`${layerDir}/json`, JSON.stringify({id: layerDir, created: JSON.parse(image.configBytes.toString()).created, container_config: {Cmd: null}, os: 'linux'}))
    await out.file('manifest.json', JSON.stringify([{Config: `${configHex}.json`, RepoTags: image.repoTags, Layers: [`${layerDir}/layer.tar`]}]))
    const tag = image.repoTags[0]
    const at = tag.lastIndexOf(':')
    await out.file('repositories', JSON.stringify({[tag.slice(0, at)]: {[tag.slice(at + 1)]: layerDir}}))
  })
}

