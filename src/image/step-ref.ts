import {UsageError} from '../errors.js'
import {shortId} from './ids.js'
import {type Image} from './model.js'
import {stepsOf, type Step} from './steps.js'

/**
 * Which history step a user means by `--to`: a step number (`3` or `#3`, 1-based as `inspect`
 * prints them), or a unique hex prefix (4+ characters) of any id printed for a step: the image id
 * Docker shows for it (the image's own id means its last step), a diff_id, a chain id, or the
 * legacy directory name of its layer.
 */
export function resolveStep(image: Image, ref: string): Step {
  const steps = stepsOf(image)
  const number = /^#?(\d+)$/.exec(ref.trim())
  if (number && (ref.startsWith('#') || ref.length < 4 || Number(number[1]) <= steps.length)) {
    const n = Number(number[1])
    if (n < 1 || n > steps.length) throw new UsageError(`--to ${ref}: the image has steps 1 to ${steps.length}`)
    return steps[n - 1]
  }
  const hex = ref.trim().toLowerCase().replace(/^sha256:/, '')
  if (!/^[0-9a-f]{4,64}$/.test(hex)) {
    throw new UsageError(`--to ${ref}: give a step number or at least 4 hex characters of an id (see imgdiff inspect or imgdiff tree)`)
  }
  const hits = new Map<number, Step>()
  for (const st of steps) {
    for (const id of [st.imageId, st.v1Id, st.diffId, st.chainId]) {
      if (id && id.replace(/^sha256:/, '').startsWith(hex)) hits.set(st.step, st)
    }
  }
  const found = [...hits.values()]
  if (found.length === 1) return found[0]
  const list = (xs: Step[]) => xs.map((s) => `${s.step}: ${stepLabel(s)}`).join(', ')
  if (found.length === 0) throw new UsageError(`--to ${ref}: no step has that id (steps ${list(steps)}; see imgdiff inspect)`)
  throw new UsageError(`--to ${ref} is ambiguous: it matches steps ${list(found)}`)
}

/** How a step is named in lists: the image id Docker shows for it, else `#N` (which --to takes too). */
export function stepLabel(step: Step): string {
  return step.imageId ? shortId(step.imageId) : `#${step.step}`
}
