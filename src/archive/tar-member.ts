/**
 * One member of a tar archive as Go's archive/tar hands it to Docker: extended (PAX, GNU) records
 * already folded in, numbers decoded, names as stored (not cleaned). Docker reads layers with Go's
 * reader, so this is the shape every layer decision starts from.
 */
export interface TarMember {
  /** The name as stored (PAX path, GNU long name or ustar prefix/name), bytes decoded losslessly (tar-names.ts). */
  name: string
  /**
   * The type flag as Go reports it: '0' file ('\0' becomes '0', or '5' for a name ending in '/'),
   * '1' hard link, '2' symlink, '3' char, '4' block, '5' dir, '6' fifo, 'g' PAX global header,
   * 'S' old GNU sparse, '7' contiguous, or any other byte as it is.
   */
  typeflag: string
  /** The mode field as stored; may carry file-type bits (0o100644). */
  mode: number
  uid: number
  gid: number
  /** Logical size: a sparse file's real size. Header-only types (links, dirs, devices, fifos) have no body whatever this says. */
  size: number
  /** Seconds since the epoch, rounded down (a PAX fraction is dropped; may be negative). */
  mtime: number
  linkname: string
  devmajor: number
  devminor: number
  /** PAX `SCHILY.xattr.<name>` records, values hex-encoded. */
  xattrs?: Record<string, string>
  /** Where the member's stored data starts in the stream (after a sparse 1.0 map). */
  dataOffset: number
  /** Stored data bytes (what follows the header(s) in the tar, map excluded). */
  storedSize: number
  /** For sparse files: the data regions [logical offset, length], stored back to back. */
  sparse?: Array<[number, number]>
}

/** Type flags whose member has no body in Go's reader, whatever its size field says. */
export function isHeaderOnly(typeflag: string): boolean {
  return typeflag === '1' || typeflag === '2' || typeflag === '3' || typeflag === '4' || typeflag === '5' || typeflag === '6'
}
