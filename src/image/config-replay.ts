import {parseHealthcheck} from './healthcheck.js'
import {type HistoryEntry, type RuntimeConfig} from './model.js'

/**
 * Rebuild the runtime config as it stood at a history step, for archives that keep only the
 * final one (Docker 1.10+). Metadata steps leave their instruction in `created_by`, in the classic
 * builder's form (`/bin/sh -c #(nop)  ENV A=b`, Go-quoted lists `["a" "b"]`) or BuildKit's
 * (`ENV A=b`, JSON lists). Fields that no step sets came from the base image and keep their final
 * value; fields a step sets start empty, since the archive does not say what the base had.
 */

export interface ReplayResult {
  config: RuntimeConfig
  /** Human notes on what could not be replayed exactly. */
  inexact: string[]
}

export type Instruction = {op: string; arg: string}

const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
const META_OPS = new Set(['ENV', 'LABEL', 'CMD', 'ENTRYPOINT', 'WORKDIR', 'USER', 'EXPOSE', 'VOLUME', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'ONBUILD', 'ARG', 'MAINTAINER'])
/** Which config field each instruction writes. */
const FIELD: Record<string, keyof RuntimeConfig> = {
  ENV: 'Env', LABEL: 'Labels', CMD: 'Cmd', ENTRYPOINT: 'Entrypoint', WORKDIR: 'WorkingDir', USER: 'User',
  EXPOSE: 'ExposedPorts', VOLUME: 'Volumes', STOPSIGNAL: 'StopSignal', HEALTHCHECK: 'Healthcheck', SHELL: 'Shell', ONBUILD: 'OnBuild',
}

/** The Dockerfile instruction a history entry records, or null for RUN/ADD/COPY/import/commit. */
export function parseInstruction(createdBy: string | undefined): Instruction | null {
  if (!createdBy) return null
  const nop = /^\/bin\/sh -c #\(nop\)\s+(.*)$/s.exec(createdBy)
  const text = (nop ? nop[1] : createdBy).trim()
  const m = /^([A-Z]+)\s+(.*)$/s.exec(text)
  if (!m || !META_OPS.has(m[1])) return null
  // Without #(nop), only BuildKit writes bare instructions; a commit's command could look alike,
  // so a bare form counts only for instruction words a shell command would not start with.
  return {op: m[1], arg: m[2].trim()}
}

/** A list as the classic builder prints it (`["a" "b c"]`, Go %q) or as BuildKit does (JSON). */
export function parseList(arg: string): string[] | null {
  const text = arg.trim()
  if (!text.startsWith('[')) return null
  try {
    const v = JSON.parse(text) as unknown
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v
  } catch {
    // Go's %q form: space-separated double-quoted strings.
  }
  const items = [...text.slice(1, -1).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string)
  if (items.length > 0) return items
  // `VOLUME [/data /logs]`: bare words.
  const words = text.slice(1, -1).trim()
  return words === '' ? [] : words.split(/\s+/)
}

/** `k=v k2="v 2"` pairs, as ENV and LABEL record them. */
export function parsePairs(arg: string): Array<[string, string]> | null {
  const pairs: Array<[string, string]> = []
  const re = /\s*([^=\s]+)=("(?:[^"\\]|\\.)*"|\S*)/gy
  let m: RegExpExecArray | null
  let last = 0
  while ((m = re.exec(arg)) !== null) {
    const raw = m[2]
    pairs.push([m[1], raw.startsWith('"') ? (JSON.parse(raw) as string) : raw])
    last = re.lastIndex
  }
  if (arg.slice(last).trim() !== '') {
    // Old `ENV key value with spaces` form, or a value the builder wrote unquoted.
    const old = /^(\S+)\s+(.*)$/s.exec(arg.trim())
    if (pairs.length === 0 && old) return [[old[1], old[2]]]
    return null
  }
  return pairs
}

function setEnv(env: string[], key: string, value: string): string[] {
  const out = env.filter((e) => e.split('=')[0] !== key)
  const i = env.findIndex((e) => e.split('=')[0] === key)
  const entry = `${key}=${value}`
  if (i === -1) return [...out, entry]
  const copy = [...env]
  copy[i] = entry
  return copy
}

function isBuilderStep(h: HistoryEntry): boolean {
  return /^\/bin\/sh -c /.test(h.createdBy ?? '') || /buildkit/.test(h.comment ?? '') || isBuildahStep(h)
}

/** buildah (and podman build) note each step's parent as the step's comment: `FROM <image>`. */
function isBuildahStep(h: HistoryEntry): boolean {
  return /^FROM \S/.test(h.comment ?? '')
}

const BUILDAH_LABEL = 'io.buildah.version'

/**
 * Values a builder puts in a config without a history entry: the default PATH at the first build
 * step when the base has none (Docker's and buildah's FROM), and buildah's version label on every
 * buildah step. Taken out of the final config before a replay; put back at the step that adds them.
 */
function withoutImplicit(config: RuntimeConfig, history: HistoryEntry[]): RuntimeConfig {
  const env = config.Env
  if (Array.isArray(env) && env.includes(DEFAULT_PATH) && history.some(isBuilderStep)) config.Env = env.filter((e) => e !== DEFAULT_PATH)
  const labels = config.Labels
  if (labels && BUILDAH_LABEL in labels && history.some(isBuildahStep)) {
    const {[BUILDAH_LABEL]: _version, ...rest} = labels
    config.Labels = rest
  }
  return config
}

/** A base image the user supplied: its config is exact for its own steps. */
export interface BaseImage {
  config: RuntimeConfig
  /** How many history steps of the image are the base's own. */
  steps: number
}

/**
 * The config at history step `cut` (0-based, inclusive). The last step's config is the final one;
 * with a base image, replay starts from the base's exact config after its last step; without one,
 * from the final config with every field some step writes emptied (the base's values are unknown).
 */
export function replayConfig(finalConfig: RuntimeConfig, history: HistoryEntry[], cut: number, base?: BaseImage): ReplayResult {
  if (cut >= history.length - 1) return {config: structuredClone(finalConfig), inexact: []}
  if (base && cut === base.steps - 1) return {config: structuredClone(base.config), inexact: []}
  const fromBase = base !== undefined && cut >= base.steps
  const first = fromBase ? base.steps : 0
  const inexact: string[] = []
  const written = new Set<string>()
  for (const h of history.slice(first)) {
    const ins = parseInstruction(h.createdBy)
    if (ins && FIELD[ins.op]) written.add(FIELD[ins.op] as string)
  }
  let config: RuntimeConfig
  if (fromBase) {
    config = structuredClone(base.config)
  } else {
    config = {}
    for (const [k, v] of Object.entries(finalConfig)) if (!written.has(k)) config[k] = structuredClone(v)
    for (const field of written) config[field] = field === 'WorkingDir' || field === 'User' || field === 'StopSignal' ? '' : null
    withoutImplicit(config, history)
  }
  // ENTRYPOINT resets an inherited Cmd unless the same build set one (Docker's builder rule).
  let cmdSetInBuild = false
  let builderSeen = fromBase && history.slice(0, first).some((h) => isBuilderStep(h))
  let buildahSeen = fromBase && history.slice(0, first).some((h) => isBuildahStep(h))

  for (let i = first; i <= cut && i < history.length; i++) {
    const h = history[i]
    if (!builderSeen && isBuilderStep(h)) {
      builderSeen = true
      // Both builders give a build a default PATH when the base has none (Docker's FROM).
      const env = (config.Env ?? []) as string[]
      // Docker's builder appends it (setDefaultPath), after what the base set.
      if (!env.some((e) => e.startsWith('PATH='))) config.Env = [...env, DEFAULT_PATH]
    }
    if (!buildahSeen && isBuildahStep(h) && finalConfig.Labels?.[BUILDAH_LABEL] !== undefined) {
      buildahSeen = true
      config.Labels = {...(config.Labels ?? {}), [BUILDAH_LABEL]: finalConfig.Labels[BUILDAH_LABEL]}
    }
    const ins = parseInstruction(h.createdBy)
    if (!ins) {
      if (h.createdBy && !isBuilderStep(h)) inexact.push(`step ${i + 1} came from docker commit, which records no config change: the config may differ from what it was`)
      continue
    }
    const ok = apply(config, ins, cmdSetInBuild)
    if (ins.op === 'CMD') cmdSetInBuild = true
    if (!ok) {
      const field = FIELD[ins.op]
      inexact.push(`step ${i + 1} (${ins.op} ${ins.arg.slice(0, 40)}) could not be replayed; ${field} keeps its final value`)
      if (field) config[field] = structuredClone(finalConfig[field])
    }
  }
  const commits = history.slice(cut + 1).flatMap((h, j) => (h.createdBy && !isBuilderStep(h) && !parseInstruction(h.createdBy) ? [cut + 2 + j] : []))
  if (!fromBase && commits.length > 0) {
    inexact.push(`step ${commits.join(', ')} came from docker commit, which records no config change: fields it may have set keep their final value (--base BASE.tar gives the exact config)`)
  }
  if (!fromBase) {
    // A field that a later step overwrites held the base image's value here, which no archive records.
    const unknown = [...written].filter((f) => !history.slice(0, cut + 1).some((h) => FIELD[parseInstruction(h.createdBy)?.op ?? ''] === f))
    const resetByEntrypoint = history.slice(0, cut + 1).some((h) => parseInstruction(h.createdBy)?.op === 'ENTRYPOINT')
    const guessed = unknown.filter((f) => !(f === 'Cmd' && resetByEntrypoint) && !(f === 'Env' && builderSeen))
    if (guessed.length > 0) {
      inexact.push(`${guessed.join(', ')} at this step ${guessed.length === 1 ? 'is' : 'are'} not recorded (a later step sets ${guessed.length === 1 ? 'it' : 'them'}; the value before is the base image's, which the archive does not hold): left empty; --base BASE.tar supplies the base image's config`)
    }
  }
  return {config, inexact}
}

function apply(c: RuntimeConfig, ins: Instruction, cmdSet: boolean): boolean {
  switch (ins.op) {
    case 'ENV': {
      const pairs = parsePairs(ins.arg)
      if (!pairs) return false
      let env = (c.Env ?? []) as string[]
      for (const [k, v] of pairs) env = setEnv(env, k, v)
      c.Env = env
      return true
    }

    case 'LABEL': {
      const pairs = parsePairs(ins.arg)
      if (!pairs) return false
      c.Labels = {...(c.Labels ?? {}), ...Object.fromEntries(pairs.map(([k, v]) => [k.replace(/^"|"$/g, ''), v]))}
      return true
    }

    case 'CMD':
    case 'ENTRYPOINT':
    case 'SHELL': {
      const list = parseList(ins.arg)
      const value = list ?? ['/bin/sh', '-c', ins.arg]
      if (ins.op === 'CMD') c.Cmd = value
      if (ins.op === 'SHELL') c.Shell = value
      if (ins.op === 'ENTRYPOINT') {
        c.Entrypoint = value
        if (!cmdSet) c.Cmd = null
      }
      return true
    }

    case 'WORKDIR': {
      const dir = ins.arg
      c.WorkingDir = dir.startsWith('/') ? dir : `${(c.WorkingDir as string) || '/'}`.replace(/\/?$/, '/') + dir
      return true
    }

    case 'USER': {
      c.User = ins.arg
      return true
    }

    case 'STOPSIGNAL': {
      c.StopSignal = ins.arg
      return true
    }

    case 'EXPOSE': {
      // Classic: `EXPOSE 8080/tcp 53/udp`; BuildKit: `EXPOSE map[8080/tcp:{}]`.
      const ports = ins.arg.startsWith('map[') ? [...ins.arg.matchAll(/([0-9]+(?:-[0-9]+)?\/[a-z]+):\{\}/g)].map((m) => m[1]) : ins.arg.split(/\s+/)
      const exposed = {...(c.ExposedPorts ?? {})}
      for (const p of ports.filter(Boolean)) exposed[p.includes('/') ? p : `${p}/tcp`] = {}
      c.ExposedPorts = exposed
      return true
    }

    case 'VOLUME': {
      const list = parseList(ins.arg) ?? ins.arg.split(/\s+/)
      c.Volumes = {...(c.Volumes ?? {}), ...Object.fromEntries(list.filter(Boolean).map((v) => [v, {}]))}
      return true
    }

    case 'ONBUILD': {
      c.OnBuild = [...((c.OnBuild ?? []) as string[]), ins.arg]
      return true
    }

    case 'HEALTHCHECK': {
      // A history entry records a Go struct dump (`&{["CMD-SHELL" "x"] "5s" ...}`), which cannot
      // be read back faithfully; `--change` gives Dockerfile syntax.
      if (ins.arg.startsWith('&{')) return false
      const check = parseHealthcheck(ins.arg)
      if (typeof check === 'string') return false
      c.Healthcheck = check
      return true
    }

    case 'ARG':
    case 'MAINTAINER': {
      return true
    }

    default: {
      return false
    }
  }
}

/**
 * Apply Dockerfile instructions (`CMD ["sh"]`, `ENV A=b`) to a config in order, as `docker import
 * --change` does: an ENTRYPOINT resets Cmd unless a CMD came earlier in the same list. Returns
 * the first instruction that cannot be applied, or null.
 */
export function applyInstructions(config: RuntimeConfig, texts: string[]): string | null {
  let cmdSet = false
  for (const text of texts) {
    // Docker's parser takes an instruction word in any case (`cmd ["sh"]`); history records upper case.
    const ins = parseInstruction(text.trim().replace(/^\S+/, (word) => word.toUpperCase()))
    if (ins === null || !apply(config, ins, cmdSet)) return text
    if (ins.op === 'CMD') cmdSet = true
  }
  return null
}
