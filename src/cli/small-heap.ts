import {setFlagsFromString} from 'node:v8'

/**
 * Ask V8 for a small heap rather than a fast one, for a command whose memory is one large structure
 * built once (flatten's tree of every path). By default V8 lets the heap run well ahead of what is
 * live: a young generation of up to 48 MB, doubled as it fills, an old generation grown by a large
 * factor at each step, and marking started late in that step. These settings are heuristics V8
 * reads at each collection, so they take effect when set while running. Measured on the bench
 * image (README, "Performance"): flatten's peak 160 MB without them; 104 MB with the first three;
 * 96-100 MB with marking started earlier too.
 *
 * Returns what to call once the structure is built: marking goes back to V8's own schedule, as
 * what is allocated from then on dies young (the same peak, 0.1-0.3 s less CPU time).
 */
export function preferSmallHeap(): () => void {
  for (const flag of ['--optimize-for-size', '--max-semi-space-size=1', '--semi-space-growth-factor=1', `${MARKING}=20`]) setFlagsFromString(flag)
  return () => setFlagsFromString(`${MARKING}=0`)
}

/** When to start marking, in per cent of the way to the heap's limit (0: V8's own choice). */
const MARKING = '--incremental-marking-hard-trigger'
