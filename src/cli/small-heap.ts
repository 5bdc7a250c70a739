import {setFlagsFromString} from 'node:v8'

/** What preferSmallHeap gives: say when the structure is built, or that the work is of another kind. */
export interface SmallHeap {
  built(): void
  cancel(): void
}

/**
 * Ask V8 for a small heap rather than a fast one, for a command whose memory is one large structure
 * built once (flatten's tree of every path). By default V8 lets the heap run well ahead of what is
 * live: a young generation of up to 48 MB, doubled as it fills, an old generation grown by a large
 * factor at each step, and marking started late in that step. These settings are heuristics V8
 * reads at each collection, so they take effect when set while running. Measured on the bench
 * image (README, "Performance"): flatten's peak 160 MB without them; 104 MB with the first three;
 * 96-100 MB with marking started earlier too.
 *
 * `built`: the structure is built; marking goes back to V8's own schedule, as what is allocated
 * from then on dies young (the same peak, 0.1-0.3 s less CPU time). `cancel`: the work turned out
 * to be of another kind, one that makes garbage fast. Flatten of the gzip'd bench save, inflated
 * on the way, took 16.6 s with these settings instead of 9.7 s (the collector ran all the time),
 * for 154 MB instead of 206.
 */
export function preferSmallHeap(): SmallHeap {
  for (const flag of ['--optimize-for-size', '--max-semi-space-size=1', '--semi-space-growth-factor=1', `${MARKING}=20`]) setFlagsFromString(flag)
  return {
    built: () => setFlagsFromString(`${MARKING}=0`),
    // V8's own settings back (its defaults on 64-bit), for work that is not what they were asked for.
    cancel: () => {
      for (const flag of ['--no-optimize-for-size', '--max-semi-space-size=16', '--semi-space-growth-factor=2', `${MARKING}=0`]) setFlagsFromString(flag)
    },
  }
}

/** When to start marking, in per cent of the way to the heap's limit (0: V8's own choice). */
const MARKING = '--incremental-marking-hard-trigger'
