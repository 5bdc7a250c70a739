import {looksLikeTar, TarReader, type TarVisitor} from '../archive/tar-reader.js'
import {type TarMember} from '../archive/tar-member.js'
import {BadArchiveError, errorMessage, ImgdiffError} from '../errors.js'
import {Budget} from '../formats/limits.js'
import {fileEntryFromMember} from '../image/file-entry.js'
import {FsTree} from '../image/fs-tree.js'
import {type FileEntry} from '../image/model.js'
import {layerUnpacker, unpackLayer} from '../image/unpack-layer.js'
import {type LayerWatcher} from './layer-check.js'

/**
 * Whether Docker can unpack the layers a rollback keeps, found from each layer's tar as its bytes
 * are copied (inflated first when compressed) instead of from a read of their headers before:
 * the copy and this check are one pass. Layers are unpacked in order: the one due next as its
 * members go by, and one copied before its turn from the list kept of it, when its turn comes.
 * What is wrong is kept and said by `check`, once the copy is done and before the output is put
 * in place, in the order a read of the headers first would have said it: a layer that is no tar,
 * then what Docker refuses (image/unpack-layer.ts).
 */
export class UnpackCheck {
  private readonly tree = new FsTree()
  private readonly budget: Budget
  /** The next layer to unpack (index into `members`). */
  private next = 0
  /** Members of layers copied before their turn. */
  private readonly waiting = new Map<string, FileEntry[]>()
  private readonly unreadable: Array<{index: number; error: string}> = []
  private refusal?: unknown
  /** Set at the first layer that is no tar or is refused: the layers after it are not unpacked. */
  private stopped = false

  constructor(
    /** The source member holding each kept layer, oldest first. */
    private readonly members: string[],
    private readonly archive: string,
  ) {
    this.budget = new Budget(archive)
  }

  /** What watches one member's bytes as they are copied. */
  watch(member: string): LayerWatcher {
    const due = this.members[this.next] === member && !this.stopped ? layerUnpacker(this.tree, this.next) : null
    // Kept when another kept layer (later, or out of turn) is made of the same member.
    const keep = this.members.some((m, i) => m === member && (due === null || i > this.next))
    const files: FileEntry[] = []
    const index = this.members.indexOf(member)
    return new TarPieces(this.budget, {
      entry: (e) => {
        due?.member(e)
        if (keep) files.push(e)
      },
      end: (error) => {
        if (error !== undefined) {
          this.unreadable.push({index, error})
          this.stopped = true
          return
        }
        if (due) {
          this.settle(() => due.end())
          this.next++
        }
        if (keep) this.waiting.set(member, files)
        this.catchUp()
      },
    })
  }

  /** Throws what is wrong with the layers copied, if anything. */
  check(): void {
    const first = this.unreadable.sort((x, y) => x.index - y.index)[0]
    if (first) {
      // Worded as the read of the headers words it (formats/members.ts).
      const what = first.error === NOT_A_TAR ? 'is not a tar (nor a compressed tar)' : `cannot be read: ${first.error}`
      throw new BadArchiveError(this.archive, `layer ${first.index + 1} '${this.members[first.index]}' ${what}`)
    }
    if (this.refusal !== undefined) throw this.refusal
    if (this.next < this.members.length) throw new ImgdiffError(`layer ${this.next + 1} ('${this.members[this.next]}') was not checked as it was copied; nothing was written`)
  }

  /** Unpack the layers whose turn has come and whose members are known. */
  private catchUp(): void {
    while (!this.stopped && this.next < this.members.length) {
      const files = this.waiting.get(this.members[this.next])
      if (!files) return
      const index = this.next++
      this.settle(() => unpackLayer(this.tree, files, index))
      if (!this.members.slice(this.next).includes(this.members[index])) this.waiting.delete(this.members[index])
    }
  }

  private settle(unpack: () => void): void {
    try {
      unpack()
    } catch (error) {
      this.refusal = error
      this.stopped = true
    }
  }
}

const NOT_A_TAR = 'not a tar'

/** A layer's tar fed piece by piece: each member as a FileEntry, then the end (or why it is no tar). */
class TarPieces implements LayerWatcher {
  private readonly parser: TarReader
  private failure?: string
  private started = false

  constructor(
    budget: Budget,
    private readonly to: {entry: (e: FileEntry) => void; end: (error?: string) => void},
  ) {
    let pending: TarMember | undefined
    const visitor: TarVisitor = {
      header(m) {
        budget.file()
        pending = m
      },
      body() {},
      end: () => to.entry(fileEntryFromMember(pending!)),
    }
    this.parser = new TarReader(visitor)
  }

  push(piece: Uint8Array): void {
    if (this.failure !== undefined || piece.length === 0) return
    try {
      if (!this.started) {
        this.started = true
        // (A first piece shorter than a header is left to the parser, which says what is wrong.)
        if (piece.length >= 512 && !looksLikeTar(piece)) throw new Error(NOT_A_TAR)
      }
      this.parser.push(Buffer.from(piece.buffer, piece.byteOffset, piece.length))
    } catch (error) {
      this.failure = errorMessage(error)
    }
  }

  end(): void {
    if (this.failure === undefined) {
      try {
        this.parser.end()
      } catch (error) {
        this.failure = errorMessage(error)
      }
    }
    this.to.end(this.failure)
  }
}
