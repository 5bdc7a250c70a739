import {humanSize} from './units.js'

/**
 * Bytes read so far on stderr, only when stderr is a terminal (never in pipes, CI logs or --json).
 * Several archives read at once share one line.
 */
export class Progress {
  private readonly done = new Map<string, number>()
  private readonly totals = new Map<string, number>()
  private last = 0
  private readonly started = Date.now()

  constructor(
    private readonly enabled: boolean,
    private readonly verb = 'reading',
  ) {}

  static forStderr(json: boolean, verb = 'reading'): Progress {
    return new Progress(!json && Boolean(process.stderr.isTTY), verb)
  }

  track(path: string, total: number): (bytes: number) => void {
    this.totals.set(path, total)
    return (bytes) => {
      this.done.set(path, bytes)
      this.draw()
    }
  }

  private draw(): void {
    if (!this.enabled) return
    const now = Date.now()
    if (now - this.last < 200) return
    this.last = now
    let done = 0
    let total = 0
    for (const [p, t] of this.totals) {
      total += t
      done += this.done.get(p) ?? 0
    }
    const rate = done / Math.max(0.001, (now - this.started) / 1000)
    process.stderr.write(`\r\u001B[K${this.verb} ${humanSize(done)} / ${humanSize(total)} (${Math.floor((100 * done) / Math.max(1, total))}%, ${humanSize(rate)}/s)`)
  }

  finish(): void {
    if (this.enabled && this.last > 0) process.stderr.write('\r\u001B[K')
  }
}
