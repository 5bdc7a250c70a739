/** What a tar header says about one member, as both tar readers hand it out. */
export interface MemberHeader {
  name: string
  /** tar-stream's names: file, link, symlink, directory, character-device, block-device, fifo, contiguous-file. */
  type: string
  mode: number
  uid: number
  gid: number
  size: number
  /** A Date (tar-stream) or seconds since the epoch (TarParser). */
  mtime: Date | number
  linkname?: string | null
  devmajor?: number
  devminor?: number
}
