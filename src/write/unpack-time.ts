/**
 * The mtime flatten gives directories that Docker would stamp with the time of unpacking (parents a
 * layer only implies, directories a layer changed without an entry of their own): the time of this
 * flatten, as Docker would, or SOURCE_DATE_EPOCH when set, for reproducible output.
 */
export function unpackTime(): number {
  const fixed = Number(process.env.SOURCE_DATE_EPOCH)
  return process.env.SOURCE_DATE_EPOCH && Number.isSafeInteger(fixed) ? fixed : Math.floor(Date.now() / 1000)
}
