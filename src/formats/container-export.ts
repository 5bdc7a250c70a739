import {whiteoutOf} from '../image/file-entry.js'
import {type Image} from '../image/model.js'
import {type Scan} from './scan.js'

/**
 * A flat root filesystem tar (`docker export`, or any rootfs tar). It has no metadata: the whole
 * tar is its one layer, and that layer's diff_id is what `docker import` of it would record.
 * A tar holding whiteout markers is a bare layer rather than an export, and says so.
 */
export function readContainerExport(scan: Scan): Image[] {
  const files = scan.rootfs
  const hasWhiteouts = files.some((f) => whiteoutOf(f) !== null)
  return [
    {
      path: scan.archive.path,
      origin: scan.archive.origin,
      reopen: scan.archive.reopen,
      kind: 'export',
      format: hasWhiteouts ? 'layer-tar' : 'container-export',
      compression: scan.archive.compression,
      imageId: null,
      repoTags: [],
      layers: [
        {
          // Null when the read was asked not to hash it (ReadOptions.exportDigest).
          diffId: scan.plainDigest,
          digest: scan.plainDigest,
          size: scan.archive.bytes,
          uncompressedSize: scan.plainSize,
          compression: scan.archive.compression,
          files,
          // An export is the filesystem it lists; a tar with whiteouts is a layer.
          markers: hasWhiteouts,
        },
      ],
      history: [],
      config: null,
      bytes: scan.archive.bytes,
      metadataBytes: 0,
      warnings: [],
    },
  ]
}
