/**
 * The fidelity answers, live: every case of fixtures/fidelity is loaded into a fresh, private Docker
 * engine and a private Podman (vfs storage, own root), created and exported, and listed by the
 * independent judge (fixtures/fidelity/make-fidelity.py --out). Then:
 * - what Docker says today is what docker-says.json says (which fidelity.test.ts holds imgdiff to),
 *   entry by entry, refusals included: the recorded answers are not stale;
 * - Podman agrees with Docker case by case, except where the two engines are known to differ
 *   (README, "Fidelity"): Podman creates implied parent directories 0755 (Docker: 0600), its export
 *   keeps every extended attribute (Docker's: security.capability only), a hard link's chown does
 *   not drop the capability of the file it names, and it adds no /dev or
 *   /etc of its own to a container.
 * Needs root, docker.io and podman (CI installs them); without an engine it says so loudly.
 */
import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {cleanupTemps, fixture, ROOT, tempDir} from '../helpers/cli.js'
import {type CaseAnswer, type JudgeEntry} from '../helpers/judge.js'
import {decideEngine, exec} from './engine-helpers.js'
import {suiteNotRun} from '../helpers/not-run.js'

type Says = {engine: string; cases: Record<string, CaseAnswer>}

const decision = decideEngine()
const recorded = JSON.parse(readFileSync(fixture('fidelity/docker-says.json'), 'utf8')) as Says

/** An answer with the time-of-unpacking mtimes (which differ on every run) set aside. */
function stable(answer: CaseAnswer): unknown {
  if (!answer.loads) return {loads: false}
  const unpack = new Set(answer.unpackTime)
  return {loads: true, unpackTime: answer.unpackTime, entries: answer.entries!.map((e) => (unpack.has(e.path) ? {...e, mtime: 'unpack time'} : e))}
}

/** Podman's answer as Docker's would read, for the differences the README documents. */
function asDocker(podman: CaseAnswer, docker: CaseAnswer): unknown {
  if (!podman.loads) return {loads: false}
  // Implied parents: 0600 in Docker, 0755 in Podman; in a set-group-ID directory, both add that bit.
  const SETGID = 0o2000
  const implied = new Set(docker.entries!.filter((e) => e.type === 'dir' && (e.mode & ~SETGID) === 0o600 && docker.unpackTime!.includes(e.path)).map((e) => e.path))
  const byPath = new Map(docker.entries!.map((e) => [e.path, e]))
  const entries = podman.entries!.map((e) => {
    const out: JudgeEntry = {...e}
    // A hard link's chown drops the capability of the file it names in Docker, not in Podman.
    const mine = byPath.get(e.path)
    if (mine?.group && !mine.xattrs?.['security.capability'] && out.xattrs?.['security.capability']) {
      const {'security.capability': _kept, ...rest} = out.xattrs
      out.xattrs = rest
    }
    if (implied.has(e.path) && (e.mode & ~SETGID) === 0o755) out.mode = (e.mode & SETGID) | 0o600
    if (out.xattrs) {
      const kept = Object.fromEntries(Object.entries(out.xattrs).filter(([k]) => k === 'security.capability'))
      if (Object.keys(kept).length > 0) out.xattrs = kept
      else delete out.xattrs
    }
    return out
  })
  // Docker's init layer makes /dev and /etc when the image has none; Podman's create does not.
  const runtime = new Set(['dev', 'etc'])
  const dockerEntries = docker.entries!.filter((e) => !(runtime.has(e.path) && !entries.some((p) => p.path === e.path)))
  const unpack = new Set([...docker.unpackTime!, ...podman.unpackTime!])
  const strip = (list: JudgeEntry[]) => list.map((e) => (unpack.has(e.path) ? {...e, mtime: 'unpack time'} : e))
  return {loads: true, entries: strip(entries), docker: strip(dockerEntries)}
}

if (!decision.run) {
  suiteNotRun('fidelity, live', 'FIDELITY ENGINE SUITE NOT RUN: no Docker engine on this machine', decision.why)
} else {
  describe('fidelity answers re-recorded live on Docker and Podman', () => {
    let out = ''
    let docker: Says
    let podman: Says
    let setupError: unknown

    beforeAll(async () => {
      try {
        out = tempDir('imgdiff-fidelity-live-')
        const r = await exec('python3', [path.join(ROOT, 'fixtures/fidelity/make-fidelity.py'), '--out', out], {timeoutMs: 600_000})
        if (r.code !== 0) throw new Error(`make-fidelity.py --out failed (exit ${r.code}):\n${r.stderr.slice(-3000)}`)
        docker = JSON.parse(readFileSync(path.join(out, 'docker-says.json'), 'utf8')) as Says
        if (!existsSync(path.join(out, 'podman-says.json'))) throw new Error('podman-says.json was not written (is podman installed?)')
        podman = JSON.parse(readFileSync(path.join(out, 'podman-says.json'), 'utf8')) as Says
      } catch (error) {
        setupError = error
      }
    }, 660_000)

    afterAll(cleanupTemps)

    const ready = () => {
      if (setupError) throw setupError
    }

    for (const name of Object.keys(recorded.cases)) {
      it(`${name}: Docker today says what docker-says.json says`, () => {
        ready()
        expect(docker.cases[name], `no live answer for ${name}`).toBeDefined()
        expect(stable(docker.cases[name]), name).toEqual(stable(recorded.cases[name]))
      })

      it(`${name}: Podman agrees with Docker, but for the documented differences`, () => {
        ready()
        const p = podman.cases[name]
        const d = docker.cases[name]
        expect(p.loads, `${name}: Podman ${p.loads ? 'loads' : `refuses (${p.error})`}, Docker ${d.loads ? 'loads' : `refuses (${d.error})`}`).toBe(d.loads)
        if (!d.loads) return
        const seen = asDocker(p, d) as {entries: unknown; docker: unknown}
        expect(seen.entries, name).toEqual(seen.docker)
      })
    }
  })
}
