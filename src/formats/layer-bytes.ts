import {type TarMember} from '../archive/tar-member.js'
import {plainTarStream} from '../sources/open.js'
import {type ContentAt, readRanges} from './layer-ranges.js'
import {TarReader, type TarVisitor} from '../archive/tar-reader.js'
import {BadArchiveError, errorMessage} from '../errors.js'
import {type Image} from '../image/model.js'
import {landingPath} from '../image/paths.js'
import {LayerFeed} from './layer-scan.js'
import {Budget} from './limits.js'

/** Where chosen layer members' content goes, as it passes. */
export interface MemberSink {
  /** A wanted member starts: the layers (indexes, oldest first) that want it, and its index in them. */
  begin(layers: number[], index: number): void
  data(chunk: Buffer): void
  end(): void
  /** Backpressure to honour between input chunks (undefined: none). */
  drained(): Promise<unknown> | undefined
  /** Whether the sink is done with every chunk given so far, so a reader may reuse its buffer now (asked at each read). */
  reusable?(): boolean
}

type Source = Pick<Image, 'path' | 'reopen' | 'compression' | 'kind' | 'layers'>

/**
 * A second pass over an archive for the content of chosen layer members (`wanted`: layer index ->
 * member indexes), in the order the archive holds them. From a plain file whose layers are plain
 * tars, each member's bytes are read where the first pass saw them (layer-ranges.ts); otherwise
 * the archive is walked again, its layers inflated and parsed, and members are counted as the
 * first pass counted them (every member Go's reader returns), so an index names the same member.
 * `at`: where each member's content lies, when the first pass did not keep the layers' entries.
 */
export async function readLayerMembers(image: Source, wanted: Map<number, Set<number>>, sink: MemberSink, at?: ContentAt): Promise<void> {
  if (await readRanges(image, wanted, sink, at)) return
  await walkLayerMembers(image, wanted, sink)
}

async function walkLayerMembers(image: Source, wanted: Map<number, Set<number>>, sink: MemberSink): Promise<void> {
  const budget = new Budget(image.path)
  const feeds: Array<Promise<unknown>> = []
  let outer: TarVisitor
  if (image.kind === 'export') {
    outer = new Picker([0], wanted, sink)
  } else {
    const layersOf = new Map<string, number[]>()
    image.layers.forEach((l, i) => {
      if (l.member && wanted.has(i)) layersOf.set(l.member, [...(layersOf.get(l.member) ?? []), i])
    })
    let feed: LayerFeed | undefined
    outer = {
      header(m) {
        const layers = m.typeflag === '0' ? layersOf.get(landingPath(m.name).slice(1)) : undefined
        feed = layers ? new LayerFeed(image.layers[layers[0]].compression, new Picker(layers, wanted, sink), budget, `'${m.name}'`, false) : undefined
      },
      body(chunk) {
        const wait = feed?.write(chunk)
        if (wait) feeds.push(wait)
      },
      end() {
        if (!feed) return
        feeds.push(
          feed.finish('').then((r) => {
            if (r.error) throw new BadArchiveError(image.path, `a layer cannot be read again: ${r.error}`)
          }),
        )
        feed = undefined
      },
    }
  }
  const reader = new TarReader(outer)
  const source = plainTarStream(image)
  try {
    for await (const chunk of source) {
      reader.push(chunk as Buffer)
      while (feeds.length > 0) await Promise.all(feeds.splice(0))
      await sink.drained()
    }
    reader.end()
  } catch (error) {
    source.destroy()
    if (error instanceof BadArchiveError) throw error
    throw new BadArchiveError(image.path, `cannot be read again (${errorMessage(error)}); did it change since it was read?`)
  }
}

/** Counts a layer's members and hands the wanted ones to the sink, once per layer that wants them. */
class Picker implements TarVisitor {
  private index = -1
  private taking: number[] = []

  constructor(
    private readonly layers: number[],
    private readonly wanted: Map<number, Set<number>>,
    private readonly sink: MemberSink,
  ) {}

  header(_m: TarMember): void {
    this.index++
    this.taking = this.layers.filter((l) => this.wanted.get(l)?.has(this.index))
    if (this.taking.length > 0) this.sink.begin(this.taking, this.index)
  }

  body(chunk: Buffer): void {
    if (this.taking.length > 0) this.sink.data(chunk)
  }

  end(): void {
    if (this.taking.length > 0) this.sink.end()
  }
}
