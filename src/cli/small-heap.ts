import {setFlagsFromString} from 'node:v8'

/**
 * Ask V8 for a small heap rather than a fast one, for a command whose memory is one large structure
 * built once (flatten's tree of every path). By default V8 lets the heap run well ahead of what is
 * live: a young generation of up to 48 MB, doubled as it fills, and an old generation grown by
 * a large factor at each step. These settings are heuristics V8 reads at each collection, so they
 * take effect when set while running (measured on the bench image, README "Performance": flatten's
 * peak 160 MB without them, 103 MB with them; its time 2.3 s and 2.4 s).
 */
export function preferSmallHeap(): void {
  for (const flag of ['--optimize-for-size', '--max-semi-space-size=1', '--semi-space-growth-factor=1']) setFlagsFromString(flag)
}
