/**
 * Engine sources against real, private engines (never the user's): a Docker engine started by
 * ../shared/tools/dockerd-up.sh and a Podman API service (`podman system service`, vfs storage,
 * private root) on a socket of its own. The article's scenario in one command:
 * `imgdiff docker:busybox-1 container:ID` reports what the two files report; an image read from
 * the engine is the saved file; a rollback from the engine is the rollback from the file, byte for
 * byte; the ids imgdiff prints for each step are docker history's IMAGE column.
 */
import {spawn, type ChildProcess} from 'node:child_process'
import {createHash} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {cleanupTemps, expectOneLineError, fixture, run, tempDir} from '../helpers/cli.js'
import {decideEngine, Engine, exec, newTmpRoot} from './engine-helpers.js'
import {suiteNotRun} from '../helpers/not-run.js'

const decision = decideEngine()

async function imgdiffJson(args: string[], env: NodeJS.ProcessEnv): Promise<any> {
  const r = await run([...args, '--json'], {env, timeoutMs: 120_000})
  expect(r.code, `imgdiff ${args.join(' ')}: ${r.stderr}`).toBe(0)
  return JSON.parse(r.stdout)
}

/** What a reader of the report cares about, without the names of the sources. */
function verdict(d: any): unknown {
  return {
    summary: {...d.summary, runtime: undefined},
    lost: d.lost,
    match: d.exportMatch && {step: d.exportMatch.step, derived: d.exportMatch.derived, differing: d.exportMatch.differing, id: d.exportMatch.id},
    files: d.files.filter((f: {runtime: boolean}) => !f.runtime),
    a: {imageId: d.a.imageId, repoTags: d.a.repoTags, layers: d.a.layers.map((l: {diffId: string}) => l.diffId)},
  }
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')

if (!decision.run) {
  suiteNotRun('engine sources', 'ENGINE SOURCES SUITE NOT RUN: no Docker engine on this machine', decision.why)
} else {
  describe.sequential('engine sources: Docker', () => {
    let root = ''
    let engine: Engine | undefined
    let env: NodeJS.ProcessEnv = {}
    let container = ''
    let setupError: unknown

    beforeAll(async () => {
      try {
        root = newTmpRoot()
        engine = await Engine.start('sources', root)
        env = {DOCKER_HOST: engine.host}
        await engine.ok(['load', '-i', fixture('busybox-1.save.tar')])
        await engine.ok(['load', '-i', fixture('multistep.save.tar')])
        container = (await engine.ok(['create', '--network', 'none', 'busybox-1:latest'])).trim()
      } catch (error) {
        setupError = error
      }
    }, 300_000)

    afterAll(async () => {
      await engine?.stop()
      cleanupTemps()
    }, 120_000)

    const ready = () => {
      if (setupError) throw setupError
    }

    it('docker:busybox-1 container:ID reports what busybox-1.save.tar busybox-1.create-export.tar reports', async () => {
      ready()
      const live = await imgdiffJson(['docker:busybox-1', `container:${container}`], env)
      const files = await imgdiffJson([fixture('busybox-1.save.tar'), fixture('busybox-1.create-export.tar')], env)
      expect(verdict(live)).toEqual(verdict(files))
      expect(live.b.source).toMatchObject({kind: 'engine-container', engine: expect.stringMatching(/^Docker /), address: engine!.host})
    })

    it('container:ID alone is compared with the image it was created from', async () => {
      ready()
      const alone = await imgdiffJson([`container:${container}`], env)
      expect(alone.a.imageId).toBe((await engine!.inspect('busybox-1:latest')).Id)
      expect(alone.exportMatch).toMatchObject({step: 2, derived: true, differing: 0})
    })

    it('docker:X is the saved file X', async () => {
      ready()
      const d = await imgdiffJson(['docker:multistep', fixture('multistep.save.tar')], env)
      expect(d.summary.identical).toBe(true)
      expect(d.identity).toEqual({imageId: null, repoTags: null, configFields: []})
    })

    it('rollback docker:X --to N is rollback X.save.tar --to N, byte for byte', async () => {
      ready()
      const dir = tempDir()
      for (const step of [1, 9, 19]) {
        const fromEngine = path.join(dir, `engine-${step}.tar`)
        const fromFile = path.join(dir, `file-${step}.tar`)
        expect((await run(['rollback', 'docker:multistep', '--to', String(step), '-o', fromEngine], {env})).code).toBe(0)
        expect((await run(['rollback', fixture('multistep.save.tar'), '--to', String(step), '-o', fromFile], {env})).code).toBe(0)
        expect(sha256(fromEngine), `step ${step}`).toBe(sha256(fromFile))
      }
    }, 120_000)

    it("each step's id is docker history's IMAGE column, after docker load into an empty engine", async () => {
      ready()
      for (const image of ['busybox-1', 'multistep']) {
        const history = (await engine!.ok(['history', '--no-trunc', '--format', '{{.ID}}', image])).trim().split('\n').reverse()
        const ours = (await imgdiffJson(['inspect', fixture(`${image}.save.tar`)], env)).images[0].steps.map((s: {imageId: string | null}) => s.imageId ?? '<missing>')
        expect(ours, image).toEqual(history)
      }
    })

    it('an unknown image or container is one line naming the engine', async () => {
      ready()
      expect(expectOneLineError(await run(['inspect', 'docker:no-such-image'], {env}), 'no image')).toMatch(/has no image 'no-such-image'/)
      expect(expectOneLineError(await run(['inspect', 'container:no-such-container'], {env}), 'no container')).toMatch(/has no container 'no-such-container'/)
    })
  })

  describe.sequential('engine sources: Podman (its Docker-compatible API)', () => {
    let root = ''
    let service: ChildProcess | undefined
    let env: NodeJS.ProcessEnv = {}
    let podman: (args: string[]) => Promise<string>
    let setupError: unknown

    beforeAll(async () => {
      try {
        root = newTmpRoot()
        const base = ['--root', `${root}/root`, '--runroot', `${root}/run`, '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'none']
        podman = async (args) => {
          const r = await exec('podman', [...base, ...args], {timeoutMs: 120_000})
          if (r.code !== 0) throw new Error(`podman ${args.join(' ')}: ${r.stderr}`)
          return r.stdout
        }
        const sock = `${root}/podman.sock`
        service = spawn('podman', [...base, 'system', 'service', '--time=0', `unix://${sock}`], {stdio: 'ignore', detached: true})
        for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 200))
        if (!existsSync(sock)) throw new Error('podman system service did not open its socket within 20 s')
        env = {CONTAINER_HOST: `unix://${sock}`}
        await podman(['load', '-q', '-i', fixture('busybox-1.save.tar')])
        await podman(['create', '--name', 'c1', 'busybox-1:latest'])
      } catch (error) {
        setupError = error
      }
    }, 300_000)

    afterAll(async () => {
      if (service?.pid) {
        try {
          process.kill(-service.pid, 'SIGTERM')
        } catch {}
      }
      cleanupTemps()
    })

    const ready = () => {
      if (setupError) throw setupError
    }

    it('podman:busybox-1 is the saved file', async () => {
      ready()
      const d = await imgdiffJson(['podman:busybox-1', fixture('busybox-1.save.tar')], env)
      expect(d.summary.identical).toBe(true)
      expect(d.a.source).toMatchObject({kind: 'engine-image', engine: expect.stringMatching(/^Podman/)})
    })

    it('podman-container:c1 is an export of it, matching step 2', async () => {
      ready()
      const d = await imgdiffJson(['podman:busybox-1', 'podman-container:c1'], env)
      expect(d.exportMatch).toMatchObject({step: 2, derived: true, differing: 0})
      expect(d.files.filter((f: {runtime: boolean}) => !f.runtime)).toEqual([])
    })
  })
}
