import {open, stat} from 'node:fs/promises'
import {ImgdiffError} from '../../errors.js'

/**
 * The read-back check of a written report (writeSafely renames the file into place only after
 * it): the whole page is there, from its doctype to its closing tag.
 */
export async function checkWrittenReport(path: string, bytes: number): Promise<void> {
  const size = (await stat(path)).size
  if (size !== bytes) throw new ImgdiffError(`the report was written short (${size} of ${bytes} bytes); nothing was kept`)
  const file = await open(path, 'r')
  try {
    const head = Buffer.alloc(15)
    const tail = Buffer.alloc(8)
    await file.read(head, 0, head.length, 0)
    await file.read(tail, 0, tail.length, Math.max(0, size - tail.length))
    if (head.toString() !== '<!DOCTYPE html>' || tail.toString() !== '</html>\n') throw new ImgdiffError('the report read back is not the page written; nothing was kept')
  } finally {
    await file.close()
  }
}
