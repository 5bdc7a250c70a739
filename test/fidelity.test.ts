/**
 * Fidelity: for every hand-made layer of fixtures/fidelity (cases.py), imgdiff must reach the
 * filesystem a real Docker engine reached (docker-says.json: `docker load` into an empty engine,
 * then `docker create` + `docker export`, listed by test/judge/list_tar.py).
 * - flatten's output, listed by the same independent judge, equals Docker's export entry by entry
 *   (type, mode and type bits, owner, size, sha256, link, device, xattrs, hard-link groups, mtime),
 *   except the files a container adds and the mtimes Docker set to the time of unpacking; imgdiff
 *   must give those (and only those) the unpack time it was told (SOURCE_DATE_EPOCH);
 * - `diff SAVE EXPORT` and `diff SAVE FLATTENED` find nothing but runtime files;
 * - an image Docker refuses is refused with one line that says so.
 * The engine suite (test/e2e/fidelity-engines.test.ts) re-records the answers live, Podman too.
 */
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {cleanupTemps, expectOneLineError, fixture, ROOT, run, tempDir} from './helpers/cli.js'
import {type CaseAnswer, judgeListing, type JudgeEntry} from './helpers/judge.js'

afterAll(cleanupTemps)


const says = JSON.parse(readFileSync(fixture('fidelity/docker-says.json'), 'utf8')) as {engine: string; cases: Record<string, CaseAnswer>}
const CASES = path.join(ROOT, 'fixtures/fidelity/cases')
const save = (name: string) => path.join(CASES, `${name}.save.tar`)
/** A fixed unpack time for imgdiff's flatten, far from every mtime the cases use. */
const UNPACK_TIME = 1_777_777_777
/** Directories Docker's init layer makes or touches when it creates a container. */
const RUNTIME_DIRS = new Set(['dev', 'etc'])

function withoutMtime(e: JudgeEntry): JudgeEntry {
  const {mtime: _m, ...rest} = e
  return rest as JudgeEntry
}

describe.concurrent(`flatten equals what ${says.engine} unpacked`, () => {
  for (const [name, answer] of Object.entries(says.cases)) {
    if (!answer.loads) {
      it(`${name}: refused, as Docker refuses it (${answer.error})`, async () => {
        const dir = tempDir()
        const r = await run(['flatten', save(name), '-o', path.join(dir, 'out.tar')])
        expect(expectOneLineError(r, name)).toMatch(/docker load refuses/)
      }, 60_000)
      continue
    }
    it(`${name}: ${answer.what}`, async () => {
      const dir = tempDir()
      const out = path.join(dir, 'flat.tar')
      const r = await run(['flatten', save(name), '-o', out], {env: {SOURCE_DATE_EPOCH: String(UNPACK_TIME)}})
      expect(r.code, r.stderr).toBe(0)
      const ours = new Map((await judgeListing(out)).map((e) => [e.path, e]))
      const theirs = new Map(answer.entries!.map((e) => [e.path, e]))
      const unpackTime = new Set(answer.unpackTime)
      for (const p of new Set([...ours.keys(), ...theirs.keys()])) {
        const a = ours.get(p)
        const b = theirs.get(p)
        if (!a && RUNTIME_DIRS.has(p)) continue
        expect(a, `${p}: Docker has it, imgdiff's flatten does not`).toBeDefined()
        expect(b, `${p}: imgdiff's flatten has it, Docker's export does not`).toBeDefined()
        if (unpackTime.has(p)) {
          expect(withoutMtime(a!), p).toEqual(withoutMtime(b!))
          if (!RUNTIME_DIRS.has(p)) expect(a!.mtime, `${p}: Docker stamped the unpack time; imgdiff must know it cannot know it`).toBe(UNPACK_TIME)
        } else {
          expect(a, p).toEqual(b)
        }
      }
    }, 60_000)
  }
})

describe.concurrent('diff finds nothing but runtime files where Docker unpacked the same', () => {
  for (const [name, answer] of Object.entries(says.cases)) {
    if (!answer.loads) continue
    it(`${name}: diff SAVE EXPORT and diff SAVE FLATTENED`, async () => {
      const dir = tempDir()
      const flat = path.join(dir, 'flat.tar')
      expect((await run(['flatten', save(name), '-o', flat])).code).toBe(0)
      for (const other of [path.join(CASES, `${name}.export.tar`), flat]) {
        const r = await run(['diff', save(name), other, '--json'])
        expect(r.code, r.stderr).toBe(0)
        const d = JSON.parse(r.stdout)
        const real = d.files.filter((f: {runtime: boolean}) => !f.runtime)
        expect(real, `${path.basename(other)}: ${JSON.stringify(real, null, 1).slice(0, 1500)}`).toEqual([])
      }
    }, 60_000)
  }
})

describe('refused images are refused by diff too, naming the layer and member', () => {
  for (const [name, answer] of Object.entries(says.cases)) {
    if (answer.loads) continue
    it(`${name}`, async () => {
      const r = await run(['diff', save(name), save(name)])
      expect(expectOneLineError(r, name)).toMatch(/^imgdiff: .*layer \d+: Docker cannot unpack member '.+' \(.+\), so docker load refuses this image/)
    }, 60_000)
  }
})
