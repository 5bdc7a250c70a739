/**
 * import --change, each instruction it takes, judged on the archive written as skopeo reads it
 * (`skopeo inspect --config --raw`: the config bytes as written, Docker-only fields and all).
 * The expected values are Docker's: fixtures/multistep/Dockerfile holds one instruction per
 * step, and Docker's classic builder recorded the config after each of them
 * (fixtures/multistep-steps.json). An instruction given alone to import must set exactly the
 * fields that step changed, to the values Docker gave them; the Dockerfile's instructions given in
 * order must give Docker's final config. busybox.save.tar itself was made by
 * `docker import --change 'CMD ["sh"]'`: the same import here must give its config.
 */
import {createHash} from 'node:crypto'
import {readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {cleanupTemps, fixture, runJson, tempDir} from './helpers/cli.js'
import {exec} from './helpers/exec.js'
import {dockerSays, multistepSteps} from './helpers/fixtures.js'
import {packTar, readTar} from './helpers/tar.js'

afterAll(cleanupTemps)

const FIELDS = ['Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User', 'ExposedPorts', 'Volumes', 'Labels', 'StopSignal', 'OnBuild', 'Shell', 'Healthcheck'] as const
const steps = multistepSteps().steps

function norm(v: unknown): unknown {
  if (v === undefined || v === null || v === '') return null
  if (Array.isArray(v)) return v.length === 0 ? null : v
  if (typeof v === 'object') return Object.keys(v as object).length === 0 ? null : v
  return v
}
/** The fields that hold a value, as {field: value}. */
function setFields(c: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(FIELDS.filter((f) => norm(c?.[f]) !== null).map((f) => [f, c![f]]))
}

let rootfs = ''
let rootfsDiffId = ''

beforeAll(async () => {
  rootfs = path.join(tempDir('imgdiff-import-'), 'rootfs.tar')
  writeFileSync(rootfs, await packTar([{name: 'etc/', type: 'directory', mode: 0o755}, {name: 'etc/hostname', data: 'tiny\n'}]))
  // docker import: one layer, the tar as it is (formats.md, item 5).
  rootfsDiffId = 'sha256:' + createHash('sha256').update(readFileSync(rootfs)).digest('hex')
})

/** Import with these --change values; the written config as skopeo reads it. */
async function imported(changes: string[], source = rootfs): Promise<any> {
  const out = path.join(tempDir(), 'image.tar')
  await runJson(['import', source, '-o', out, '--tag', 'imported:test', '--json', ...changes.flatMap((c) => ['--change', c])])
  const r = await exec('skopeo', ['inspect', '--config', '--raw', `docker-archive:${out}`])
  expect(r.code, `skopeo could not read ${out}: ${r.stderr}`).toBe(0)
  return JSON.parse(r.stdout)
}

/** The Dockerfile's instructions after FROM, each with the step Docker recorded for it. */
function dockerfileSteps(): Array<{text: string; op: string; step: (typeof steps)[number]; parent: (typeof steps)[number]}> {
  const lines = readFileSync(fixture('multistep/Dockerfile'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
  expect(lines[0]).toMatch(/^FROM /)
  // The Dockerfile's header says it: FROM is the base's one history entry, each other line adds one.
  expect(lines.length).toBe(steps.length)
  return lines.slice(1).map((text, i) => ({text, op: text.split(/\s+/)[0], step: steps[i + 1], parent: steps[i]}))
}

const METADATA = ['ENV', 'LABEL', 'WORKDIR', 'USER', 'EXPOSE', 'VOLUME', 'STOPSIGNAL', 'ENTRYPOINT', 'CMD']

/**
 * What one instruction alone gives on an empty config: the fields Docker's step changed that hold
 * a value. Env keeps only the entries the step added, without the PATH Docker's FROM adds (import
 * has no FROM); ENTRYPOINT's reset of the inherited Cmd leaves nothing on an empty config.
 */
function expectedAlone(s: {step: {config: Record<string, unknown>}; parent: {config: Record<string, unknown>}}): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const f of FIELDS) {
    const now = s.step.config[f]
    if (JSON.stringify(norm(now)) === JSON.stringify(norm(s.parent.config[f])) || norm(now) === null) continue
    if (f === 'Env') {
      const before = (s.parent.config.Env ?? []) as string[]
      out.Env = (now as string[]).filter((e) => !before.includes(e) && !e.startsWith('PATH='))
    } else {
      out[f] = now
    }
  }
  return out
}

describe('--change, one instruction at a time, as Docker\'s builder applied it', () => {
  const all = dockerfileSteps().filter((s) => METADATA.includes(s.op))

  it('the Dockerfile has one of each instruction import takes', () => {
    expect([...new Set(all.map((s) => s.op))].sort()).toEqual([...METADATA].sort())
  })

  for (const s of all) {
    it(`${s.text} (step ${s.step.step})`, async () => {
      const want = expectedAlone(s)
      expect(Object.keys(want).length, 'the step changed something').toBeGreaterThan(0)
      const config = await imported([s.text])
      expect(setFields(config.config)).toEqual(want)
      expect(config.rootfs.diff_ids).toEqual([rootfsDiffId])
    })
  }

  it('ONBUILD RUN echo hi: OnBuild holds the trigger\'s text (Docker keeps it as written, without ONBUILD)', async () => {
    const config = await imported(['ONBUILD RUN echo hi'])
    expect(setFields(config.config)).toEqual({OnBuild: ['RUN echo hi']})
  })
})

describe('HEALTHCHECK, and what docker import refuses', () => {
  // What Docker 20.10 recorded for `docker import --change '<text>'` (docker save, the config's
  // Healthcheck), and the instructions it refused ("... is not a valid change command").
  const DOCKER_SAID: Array<[string, unknown]> = [
    ['HEALTHCHECK --interval=5s --timeout=1m30s --start-period=2s --retries=3 CMD true && echo ok', {Test: ['CMD-SHELL', 'true && echo ok'], Interval: 5000000000, Timeout: 90000000000, StartPeriod: 2000000000, Retries: 3}],
    ['HEALTHCHECK CMD ["curl","-f","http://x"]', {Test: ['CMD', 'curl', '-f', 'http://x']}],
    ['HEALTHCHECK NONE', {Test: ['NONE']}],
    ['HEALTHCHECK --interval=1.5s CMD true', {Test: ['CMD-SHELL', 'true'], Interval: 1500000000}],
  ]
  for (const [text, healthcheck] of DOCKER_SAID) {
    it(text, async () => {
      expect((await imported([text])).config.Healthcheck).toEqual(healthcheck)
    })
  }

  it('what Docker refuses is refused in one line: SHELL, ARG, MAINTAINER, RUN, a bad HEALTHCHECK', async () => {
    const {run, expectOneLineError} = await import('./helpers/cli.js')
    for (const text of ['SHELL ["/bin/bash","-c"]', 'ARG x=1', 'MAINTAINER me', 'RUN true', 'HEALTHCHECK --bogus=1 CMD true', 'HEALTHCHECK CMD', 'HEALTHCHECK --retries=0 CMD true', 'HEALTHCHECK --interval=0s CMD true']) {
      const r = await run(['import', rootfs, '-o', path.join(tempDir(), 'x.tar'), '--tag', 'a:b', '--change', text])
      expect(expectOneLineError(r, text)).toContain(`--change '${text}'`)
    }
  })
})

describe('several --change, in order', () => {
  it("the Dockerfile's metadata instructions in its order give Docker's final config (less the PATH FROM adds)", async () => {
    const texts = dockerfileSteps()
      .filter((s) => METADATA.includes(s.op))
      .map((s) => s.text)
    const config = await imported(texts)
    const final = dockerSays().images.multistep.config as Record<string, unknown>
    const want = setFields({...final, Env: (final.Env as string[]).filter((e) => !e.startsWith('PATH='))})
    // ENV APP_MODE=prod replaces the earlier value where it stood; ENTRYPOINT then CMD keeps both.
    expect(setFields(config.config)).toEqual(want)
  })

  it('ENTRYPOINT after CMD keeps the CMD; CMD after ENTRYPOINT too', async () => {
    // Docker's builder rule, seen at multistep's steps 18 and 19: ENTRYPOINT clears an inherited Cmd only.
    const [cmdFirst, entrypointFirst] = await Promise.all([
      imported(['CMD ["echo","ready"]', 'ENTRYPOINT ["/bin/sh","/app/run.sh"]']),
      imported(['ENTRYPOINT ["/bin/sh","/app/run.sh"]', 'CMD ["echo","ready"]']),
    ])
    for (const c of [cmdFirst, entrypointFirst]) expect(setFields(c.config)).toEqual({Cmd: ['echo', 'ready'], Entrypoint: ['/bin/sh', '/app/run.sh']})
  })
})

describe("docker import --change 'CMD [\"sh\"]' made busybox.save.tar", () => {
  it('the same import of its layer gives its layer, its config fields and its one history entry', async () => {
    const entries = await readTar(fixture('busybox.save.tar'))
    const manifest = JSON.parse(entries.find((e) => e.header.name === 'manifest.json')!.data.toString('utf8'))
    const layer = path.join(tempDir(), 'busybox-rootfs.tar')
    writeFileSync(layer, entries.find((e) => e.header.name === manifest[0].Layers[0])!.data)
    const config = await imported(['CMD ["sh"]'], layer)
    const busybox = dockerSays().images.busybox
    expect(config.rootfs.diff_ids).toEqual(busybox.diffIds)
    expect(setFields(config.config)).toEqual(setFields(busybox.config))
    expect({os: config.os, architecture: config.architecture}).toEqual({os: 'linux', architecture: 'amd64'})
    expect(config.history).toHaveLength(busybox.history)
    expect(config.history[0]).toMatchObject({comment: 'Imported from -'})
    expect(config.history[0].created_by).toBeUndefined()
  })
})
