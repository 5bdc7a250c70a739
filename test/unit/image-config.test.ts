/**
 * Config replay, rollback and import (src/image: config-replay, rollback, import) against what the
 * builders recorded: Docker's classic builder kept every step of fixtures/multistep as an image
 * (multistep-steps.json: each step's diff_ids, history length, created time and runtime config),
 * buildah did the same for fixtures/buildah (buildah-steps.json), and `docker import` made
 * busybox and busybox-1-imported (docker-says.json).
 */
import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/errors.js'
import {applyInstructions, parseInstruction, parseList, parsePairs, replayConfig} from '../../src/image/config-replay.js'
import {checkChanges, importImage} from '../../src/image/import.js'
import {type HistoryEntry, type Image, type RuntimeConfig, runtimeConfig} from '../../src/image/model.js'
import {normalizeTag, rollbackImage} from '../../src/image/rollback.js'
import {stepsOf, type Step} from '../../src/image/steps.js'
import {LayerRefusedError} from '../../src/image/unpack-layer.js'
import {dockerSays, fixture, multistepSteps, normalized, readImage, readImages, readJson, readSave, sha256} from './support.js'

const FIELDS = ['Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User', 'ExposedPorts', 'Volumes', 'Labels', 'StopSignal', 'Shell', 'OnBuild'] as const

describe('instructions as the builders record them', () => {
  it('parseInstruction reads the classic builder\'s #(nop) form and BuildKit\'s bare form', () => {
    expect(parseInstruction('/bin/sh -c #(nop)  ENV APP_HOME=/app APP_MODE=dev')).toEqual({op: 'ENV', arg: 'APP_HOME=/app APP_MODE=dev'})
    expect(parseInstruction('/bin/sh -c #(nop) WORKDIR /app')).toEqual({op: 'WORKDIR', arg: '/app'})
    expect(parseInstruction('/bin/sh -c #(nop)  CMD ["echo" "ready"]')).toEqual({op: 'CMD', arg: '["echo" "ready"]'})
    expect(parseInstruction('ENV A=b ')).toEqual({op: 'ENV', arg: 'A=b'})
    expect(parseInstruction('LABEL a=b\nc=d')).toEqual({op: 'LABEL', arg: 'a=b\nc=d'})
    expect(parseInstruction('/bin/sh -c #(nop)\tUSER  app ')).toEqual({op: 'USER', arg: 'app'})
    // Filesystem steps, commits and imports are no metadata instruction.
    for (const text of ['/bin/sh -c mkdir /x', '/bin/sh -c #(nop) COPY file:abc in /app/hello.txt ', 'RUN /bin/sh -c make', 'mkdir /home/test', 'FROM busybox', 'COPY a b', 'ENV', 'env A=b', '', undefined]) {
      expect(parseInstruction(text), String(text)).toBeNull()
    }
  })

  it('parseList reads Go-quoted lists (classic builder), JSON lists (BuildKit) and bare words', () => {
    expect(parseList('["echo" "ready"]')).toEqual(['echo', 'ready'])
    expect(parseList('["/bin/sh" "/app/run.sh"]')).toEqual(['/bin/sh', '/app/run.sh'])
    expect(parseList('["a","b c"]')).toEqual(['a', 'b c'])
    expect(parseList(' ["say \\"hi\\"" "x\\ty"] ')).toEqual(['say "hi"', 'x\ty'])
    expect(parseList('[/data]')).toEqual(['/data'])
    expect(parseList('[/data  /logs]')).toEqual(['/data', '/logs'])
    expect(parseList('[]')).toEqual([])
    expect(parseList('[ ]')).toEqual([])
    expect(parseList('[1, 2]')).toEqual(['1,', '2'])
    expect(parseList('echo ready')).toBeNull()
  })

  it('parsePairs reads ENV and LABEL pairs, quoted values, and the old `KEY value` form', () => {
    expect(parsePairs('APP_HOME=/app APP_MODE=dev')).toEqual([['APP_HOME', '/app'], ['APP_MODE', 'dev']])
    expect(parsePairs('org.example.name=multistep org.example.version=1')).toEqual([['org.example.name', 'multistep'], ['org.example.version', '1']])
    expect(parsePairs('A="x y" B=')).toEqual([['A', 'x y'], ['B', '']])
    expect(parsePairs('A="say \\"hi\\""')).toEqual([['A', 'say "hi"']])
    expect(parsePairs('KEY some value')).toEqual([['KEY', 'some value']])
    expect(parsePairs('A=b junk')).toBeNull()
    expect(parsePairs('')).toEqual([])
  })

  it('applyInstructions applies them in order, as docker import --change does', () => {
    const c: RuntimeConfig = {}
    expect(applyInstructions(c, ['CMD ["sh"]', 'ENV A=1 B=2', 'ENV A=3', 'LABEL "k"=v x="y z"', 'WORKDIR /srv', 'WORKDIR app', 'USER 1000:1000', 'STOPSIGNAL SIGINT', 'EXPOSE 80 53/udp', 'EXPOSE map[8080/tcp:{} 9000-9001/udp:{}]', 'VOLUME ["/data"]', 'VOLUME /a /b', 'SHELL ["/bin/bash", "-c"]', 'ONBUILD RUN x', 'ONBUILD RUN y', 'ARG V=1', 'MAINTAINER me'])).toBeNull()
    expect(c).toEqual({
      Cmd: ['sh'],
      Env: ['A=3', 'B=2'],
      Labels: {k: 'v', x: 'y z'},
      WorkingDir: '/srv/app',
      User: '1000:1000',
      StopSignal: 'SIGINT',
      ExposedPorts: {'80/tcp': {}, '53/udp': {}, '8080/tcp': {}, '9000-9001/udp': {}},
      Volumes: {'/data': {}, '/a': {}, '/b': {}},
      Shell: ['/bin/bash', '-c'],
      OnBuild: ['RUN x', 'RUN y'],
    })
  })

  it('a shell-form CMD runs under /bin/sh -c; an ENTRYPOINT drops an inherited CMD, not one given before it', () => {
    const c: RuntimeConfig = {Cmd: ['inherited'], WorkingDir: ''}
    expect(applyInstructions(c, ['ENTRYPOINT ["/init"]'])).toBeNull()
    expect(c.Cmd).toBeNull()
    const d: RuntimeConfig = {Cmd: ['inherited']}
    expect(applyInstructions(d, ['CMD echo hi', 'ENTRYPOINT exec x'])).toBeNull()
    expect(d).toEqual({Cmd: ['/bin/sh', '-c', 'echo hi'], Entrypoint: ['/bin/sh', '-c', 'exec x']})
    const e: RuntimeConfig = {}
    expect(applyInstructions(e, ['WORKDIR rel'])).toBeNull()
    expect(e.WorkingDir).toBe('/rel')
    const f: RuntimeConfig = {WorkingDir: '/a/'}
    applyInstructions(f, ['WORKDIR b'])
    expect(f.WorkingDir).toBe('/a/b')
  })

  it('returns the first instruction it cannot apply', () => {
    // A history entry's HEALTHCHECK is a Go struct dump, which cannot be read back.
    const dump = 'HEALTHCHECK &{["CMD-SHELL" "true"] "5s" "0s" "0s" \'\\x00\'}'
    expect(applyInstructions({}, ['CMD ["sh"]', dump, 'USER x'])).toBe(dump)
    expect(applyInstructions({}, ['HEALTHCHECK CMD'])).toBe('HEALTHCHECK CMD')
    expect(applyInstructions({}, ['RUN make'])).toBe('RUN make')
    expect(applyInstructions({}, ['ENV A=b junk'])).toBe('ENV A=b junk')
    expect(applyInstructions({}, ['LABEL a=b junk'])).toBe('LABEL a=b junk')
  })
})

/** A field Docker's step config has, in the comparable form. */
const asDocker = (config: Record<string, unknown> | null | undefined) => normalized(config, FIELDS)

describe('replayed configs are the builders\' own, step by step', async () => {
  const docker = multistepSteps()

  it('multistep with busybox as the base: every step\'s runtime config is Docker\'s', async () => {
    const image = await readImage(fixture('multistep.save.tar'))
    const base = await readImage(fixture('busybox.save.tar'))
    for (const s of docker.steps) {
      const r = replayConfig(runtimeConfig(image), image.history, s.step - 1, {config: runtimeConfig(base), steps: base.history.length})
      expect(asDocker(r.config), `step ${s.step}`).toEqual(asDocker(s.config))
      expect(r.inexact, `step ${s.step}`).toEqual([])
    }
  })

  it('multistep without the base: what differs from Docker\'s is said, and nothing is invented', async () => {
    const image = await readImage(fixture('multistep.save.tar'))
    for (const s of docker.steps) {
      const r = replayConfig(runtimeConfig(image), image.history, s.step - 1)
      const ours = asDocker(r.config)
      const theirs = asDocker(s.config)
      for (const f of FIELDS) {
        if (JSON.stringify(ours[f]) !== JSON.stringify(theirs[f])) expect(r.inexact.join(' '), `step ${s.step}: ${f}`).toContain(f)
      }
      // The base's Cmd ["sh"] is unknowable until the build's own CMD: everything else is exact.
      expect({...ours, Cmd: null}, `step ${s.step}`).toEqual({...theirs, Cmd: null})
      if (JSON.stringify(ours.Cmd) !== JSON.stringify(theirs.Cmd)) expect(r.inexact.join(' ')).toMatch(/\bCmd\b[^(]* at this step (is|are) not recorded .*--base BASE\.tar supplies the base image's config/)
      else expect(r.inexact).toEqual([])
    }
  })

  it('buildah bud --layers, with and without the base', async () => {
    const recorded = readJson<{steps: Array<{step: number; id: string; config: Record<string, unknown>}>}>(fixture('buildah/buildah-steps.json'))
    const image = await readImage(fixture('buildah/buildah-multi.save.tar'))
    const base = await readImage(fixture('busybox.save.tar'))
    for (const s of recorded.steps) {
      const withBase = replayConfig(runtimeConfig(image), image.history, s.step - 1, {config: runtimeConfig(base), steps: base.history.length})
      expect(asDocker(withBase.config), `step ${s.step}`).toEqual(asDocker(s.config))
      const plain = replayConfig(runtimeConfig(image), image.history, s.step - 1)
      const ours = asDocker(plain.config)
      const theirs = asDocker(s.config)
      // The default PATH and buildah's version label appear at the first build step, not before.
      expect(ours.Env, `step ${s.step}`).toEqual(theirs.Env)
      expect(ours.Labels, `step ${s.step}`).toEqual(theirs.Labels)
      for (const f of FIELDS) if (JSON.stringify(ours[f]) !== JSON.stringify(theirs[f])) expect(plain.inexact.join(' '), `step ${s.step}: ${f}`).toContain(f)
    }
  })

  it('a commit records no config change: said, at the step and after it', async () => {
    const image = await readImage(fixture('busybox-1.save.tar'))
    // busybox-1 is busybox + a `docker commit` of a container that ran `mkdir /home/test`.
    const atBase = replayConfig(runtimeConfig(image), image.history, 0)
    expect(atBase.inexact.join(' ')).toMatch(/^step 2 came from docker commit, which records no config change: fields it may have set keep their final value/)
    expect(atBase.config.Cmd).toEqual(dockerSays().images['busybox-1'].config.Cmd)
    const history: HistoryEntry[] = [{comment: 'Imported from -'}, {createdBy: 'mkdir /x'}, {createdBy: 'touch /y'}]
    const r = replayConfig({Cmd: ['x']}, history, 1)
    expect(r.inexact[0]).toBe('step 2 came from docker commit, which records no config change: the config may differ from what it was')
    expect(r.inexact[1]).toMatch(/^step 3 came from docker commit/)
    const later = replayConfig({Cmd: ['x']}, [...history, {createdBy: 'touch /z'}], 1)
    expect(later.inexact[1]).toMatch(/^step 3, 4 came from docker commit/)
  })

  it('an instruction that cannot be replayed keeps its field\'s final value, and says so', () => {
    // The classic builder records HEALTHCHECK as a Go struct dump; the note quotes 40 characters of it.
    const dump = '&{["CMD-SHELL" "curl -f http://localhost/ || exit 1"] "5s" "3s" "0s" \'\\x03\'}'
    const history: HistoryEntry[] = [{createdBy: '/bin/sh -c #(nop) ADD file:x in / '}, {createdBy: `/bin/sh -c #(nop)  HEALTHCHECK ${dump}`}, {createdBy: '/bin/sh -c #(nop)  CMD ["sh"]'}]
    const final: RuntimeConfig = {Healthcheck: {Test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1']}, Cmd: ['sh']}
    const r = replayConfig(final, history, 1)
    expect(r.config.Healthcheck).toEqual(final.Healthcheck)
    expect(r.config.Healthcheck).not.toBe(final.Healthcheck)
    expect(r.inexact[0]).toBe('step 2 (HEALTHCHECK &{["CMD-SHELL" "curl -f http://localhost) could not be replayed; Healthcheck keeps its final value')
  })

  it('the last step is the final config itself, a copy', () => {
    const final: RuntimeConfig = {Cmd: ['a'], Env: ['X=1']}
    const r = replayConfig(final, [{createdBy: 'CMD ["a"]'}], 0)
    expect(r).toEqual({config: final, inexact: []})
    expect(r.config).not.toBe(final)
    expect(r.config.Env).not.toBe(final.Env)
  })

  it('fields written later start empty; the others keep their final value; Env gets the builder\'s default PATH', () => {
    const history: HistoryEntry[] = [{comment: 'Imported from -'}, {createdBy: '/bin/sh -c #(nop)  ENV A=1'}, {createdBy: '/bin/sh -c #(nop)  USER app'}, {createdBy: '/bin/sh -c #(nop)  STOPSIGNAL SIGINT'}, {createdBy: '/bin/sh -c #(nop) WORKDIR /w'}]
    const final: RuntimeConfig = {Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'A=1'], User: 'app', StopSignal: 'SIGINT', WorkingDir: '/w', Cmd: ['sh'], Labels: {a: 'b'}}
    const at0 = replayConfig(final, history, 0)
    expect(at0.config).toEqual({Cmd: ['sh'], Labels: {a: 'b'}, Env: null, User: '', StopSignal: '', WorkingDir: ''})
    expect(at0.inexact.join(' ')).toMatch(/^Env, User, StopSignal, WorkingDir at this step are not recorded \(a later step sets them;/)
    const at1 = replayConfig(final, history, 1)
    expect(at1.config.Env).toEqual(final.Env)
    expect(at1.config.User).toBe('')
    expect(at1.inexact.join(' ')).toMatch(/^User, StopSignal, WorkingDir at this step are not recorded/)
    const at3 = replayConfig(final, history, 3)
    expect(at3.inexact.join(' ')).toMatch(/^WorkingDir at this step is not recorded \(a later step sets it;/)
    // An Env of the base with its own PATH gets no second one.
    const own = replayConfig({Env: ['PATH=/bin', 'A=1']}, history, 1, {config: {Env: ['PATH=/bin']}, steps: 1})
    expect(own.config.Env).toEqual(['PATH=/bin', 'A=1'])
  })
})

describe('rollbackImage: the truncation recipe', () => {
  const docker = multistepSteps()

  it('every step of multistep (with the base): Docker\'s diff_ids, history, created time and config', async () => {
    const image = await readImage(fixture('multistep.save.tar'))
    const base = await readImage(fixture('busybox.save.tar'))
    const steps = stepsOf(image)
    for (const s of docker.steps) {
      const r = rollbackImage(image, steps[s.step - 1], {configMode: 'replay', base})
      const config = r.config as {rootfs: {type: string; diff_ids: string[]}; history: unknown[]; created: string; config: RuntimeConfig}
      expect(config.rootfs, `step ${s.step}`).toEqual({type: 'layers', diff_ids: s.diffIds})
      expect(r.layers.map((l) => l.diffId)).toEqual(s.diffIds)
      expect(config.history.length).toBe(s.history)
      expect(config.created).toBe(s.created)
      expect(asDocker(config.config), `step ${s.step}`).toEqual(asDocker(s.config))
      expect(r.imageId).toBe(sha256(r.configBytes))
      expect(JSON.parse(r.configBytes.toString('utf8'))).toEqual(r.config)
      expect(r.repoTags).toEqual([`multistep:step-${s.step}`])
      expect(r.step).toBe(steps[s.step - 1])
      expect(r.inexact).toEqual([])
      if (s.step === 1 || s.step === docker.steps.length) {
        // The step is the base image, or the image itself: its own config bytes, so Docker's own id.
        expect(r.imageId).toBe(s.id)
      } else {
        expect(r.config.container_config).toBeUndefined()
        expect(r.config.container).toBeUndefined()
        expect(r.config.architecture).toBe('amd64')
        expect(r.config.docker_version).toBe(image.config!.docker_version)
      }
    }
  })

  it('the classic builder\'s config.Image names the parent step, where the archive knows it', async () => {
    const image = await readImage(fixture('multistep.save.tar'))
    const steps = stepsOf(image)
    // This archive knows no intermediate image id: the field is emptied rather than left wrong.
    const r = rollbackImage(image, steps[4], {configMode: 'replay'})
    expect((r.config.config as RuntimeConfig).Image).toBe('')
    const known = rollbackImage({...image, stepIds: docker.steps.map((s) => s.id)}, steps[4], {configMode: 'replay'})
    expect((known.config.config as RuntimeConfig).Image).toBe(docker.steps[3].id)
    // --config keep keeps it as it is.
    const kept = rollbackImage(image, steps[4], {configMode: 'keep'})
    expect(kept.config.config).toEqual(runtimeConfig(image))
    expect(kept.inexact).toEqual([])
  })

  it('without the base: notes say what is not known', async () => {
    const image = await readImage(fixture('multistep.save.tar'))
    const r = rollbackImage(image, stepsOf(image)[4], {configMode: 'replay', tag: 'app'})
    expect(r.repoTags).toEqual(['app:latest'])
    expect(r.inexact.join(' ')).toContain('Cmd')
  })

  it('finds the base among the other images of the archive (busybox-multi: busybox-1 --to 1 is busybox)', async () => {
    const images = await readImages(fixture('busybox-multi.save.tar'))
    const child = images.find((i) => i.repoTags.includes('busybox-1:latest'))!
    const r = rollbackImage(child, stepsOf(child)[0], {configMode: 'replay', candidates: images})
    expect(r.imageId).toBe(dockerSays().images.busybox.id)
    expect(r.repoTags).toEqual(['busybox-1:step-1'])
    // A candidate that ends after the step, or is not its beginning, is no base.
    const at2 = rollbackImage(child, stepsOf(child)[1], {configMode: 'replay', candidates: images})
    expect(at2.config.rootfs).toEqual({type: 'layers', diff_ids: dockerSays().images['busybox-1'].diffIds})
  })

  it('uses a legacy archive\'s per-step configs', async () => {
    const image = await readImage(fixture('busybox-1.save.tar'))
    const stepConfigs: RuntimeConfig[] = [{Cmd: ['from-step-1']}, {Cmd: ['from-step-2']}]
    const r = rollbackImage({...image, stepConfigs}, stepsOf(image)[0], {configMode: 'replay'})
    expect(r.config.config).toEqual({Cmd: ['from-step-1']})
    const none = rollbackImage({...image, stepConfigs: [null, null]}, stepsOf(image)[0], {configMode: 'replay'})
    expect(none.config.config).toEqual({})
  })

  it('refuses what cannot be rolled back', async () => {
    const image = await readImage(fixture('busybox-1.save.tar'))
    const exported = await readImage(fixture('busybox-1.export.tar'))
    const other = await readImage(fixture('buildah/buildah-multi.save.tar'))
    const base = await readImage(fixture('busybox.save.tar'))
    const steps = stepsOf(image)
    expect(() => rollbackImage(exported, stepsOf(exported)[0], {configMode: 'replay'})).toThrow(/is a container export: it has no layers or history to roll back/)
    expect(() => rollbackImage({...image, config: null}, steps[0], {configMode: 'replay'})).toThrow(UsageError)
    expect(() => rollbackImage(image, {...steps[0], layersSoFar: 0}, {configMode: 'replay'})).toThrow('step 1 comes before the first layer; an image needs at least one layer')
    expect(() => rollbackImage(image, steps[0], {configMode: 'keep', base})).toThrow('--config keep keeps the final config, so --base has nothing to add: give one or the other')
    expect(() => rollbackImage(image, steps[0], {configMode: 'replay', base: other})).toThrow(/^--base .*buildah-multi\.save\.tar is not the base of .*busybox-1\.save\.tar/)
    expect(() => rollbackImage(image, steps[0], {configMode: 'replay', base: image})).toThrow(/is not the base of/)
    expect(() => rollbackImage(image, steps[0], {configMode: 'replay', base: exported})).toThrow(/is not the base of/)
    expect(() => rollbackImage(image, steps[0], {configMode: 'replay', base: {...base, history: []}})).toThrow(/is not the base of/)
    // An image Docker cannot unpack is refused before anything is written.
    const refused = await readImage(fixture('fidelity/cases/parent-is-file.save.tar'))
    expect(() => rollbackImage(refused, stepsOf(refused).at(-1)!, {configMode: 'keep'})).toThrow(LayerRefusedError)
  })

  it('normalizeTag: name:tag, lowercase, with :latest by default', () => {
    expect(normalizeTag('app')).toBe('app:latest')
    expect(normalizeTag('app:v1.2_3-x')).toBe('app:v1.2_3-x')
    expect(normalizeTag('localhost:5000/team/app')).toBe('localhost:5000/team/app:latest')
    expect(normalizeTag('localhost:5000/team/app:v1')).toBe('localhost:5000/team/app:v1')
    expect(normalizeTag('a'.repeat(5) + ':' + 't'.repeat(128))).toBe('aaaaa:' + 't'.repeat(128))
    // Docker's reference grammar: a ':' in the name only as a registry's port, before a '/'.
    for (const bad of ['App:v1', 'app:', 'app:-x', 'app:.x', ':v1', '-app:v1', 'app: v1', 'app:' + 't'.repeat(129), 'a:b:c', 'team/App:v1', 'a//b:c']) {
      expect(() => normalizeTag(bad), bad).toThrow(`--tag ${bad}: a tag must look like name:tag (lowercase name`)
    }
  })

  it('the default tag keeps the source\'s name, registry port included', async () => {
    const image = await readImage(fixture('busybox-1.save.tar'))
    const step = stepsOf(image)[0]
    const tag = (repoTags: string[]) => rollbackImage({...image, repoTags}, step, {configMode: 'keep'}).repoTags
    expect(tag(['registry:5000/team/app:v1', 'other:x'])).toEqual(['registry:5000/team/app:step-1'])
    expect(tag(['registry:5000/app'])).toEqual(['registry:5000/app:step-1'])
    expect(tag([])).toEqual(['imgdiff-rollback:step-1'])
  })
})

describe('importImage: what docker import makes of a rootfs tar', () => {
  it('busybox-1-imported: Docker\'s diff_id (the tar as it is), history and config', async () => {
    const rootfs = await readImage(fixture('busybox-1.export.tar'))
    const docker = dockerSays().images['busybox-1-imported']
    const when = new Date('2026-11-27T18:35:23.916Z')
    const imported = importImage(rootfs, 'busybox-1-imported', [], when)
    expect(imported.diffId).toBe(docker.diffIds[0])
    expect(imported.repoTags).toEqual(docker.repoTags)
    expect(imported.imageId).toBe(sha256(imported.configBytes))
    const config = JSON.parse(imported.configBytes.toString('utf8'))
    const save = readSave(fixture(docker.saveFile))
    const theirs = JSON.parse(save.member(save.manifest[0].Config).toString('utf8'))
    expect(config.rootfs).toEqual(theirs.rootfs)
    expect(config.history.map((h: {comment: string}) => h.comment)).toEqual(theirs.history.map((h: {comment: string}) => h.comment))
    expect(config.history[0].created).toBe(when.toISOString())
    expect(config.created).toBe(when.toISOString())
    expect([config.os, config.architecture]).toEqual([theirs.os, theirs.architecture])
    expect(normalized(config.config)).toEqual(normalized(theirs.config))
  })

  it('busybox: --change \'CMD ["sh"]\' gives Docker\'s Cmd', async () => {
    const rootfs = await readImage(fixture('busybox-1.export.tar'))
    const imported = importImage(rootfs, 'busybox:latest', ['CMD ["sh"]'])
    expect(JSON.parse(imported.configBytes.toString()).config.Cmd).toEqual(dockerSays().images.busybox.config.Cmd)
    expect(imported.repoTags).toEqual(['busybox:latest'])
  })

  it('checkChanges refuses, before anything is read, what docker import refuses', () => {
    expect(() => checkChanges(['CMD ["sh"]', 'ENV A=b', 'EXPOSE 80', 'HEALTHCHECK NONE', 'STOPSIGNAL SIGINT'])).not.toThrow()
    // Docker's parser takes the instruction word in any case.
    expect(() => checkChanges(['cmd ["sh"]', 'Env A=b'])).not.toThrow()
    const lower = importImage({layers: [{diffId: 'sha256:x', files: []}]} as unknown as Image, 'x', ['cmd ["sh"]', 'env A=b'])
    expect(JSON.parse(lower.configBytes.toString()).config).toMatchObject({Cmd: ['sh'], Env: ['A=b']})
    expect(() => checkChanges(['CMD'])).toThrow(`--change 'CMD': CMD needs an argument, e.g. --change 'CMD ["sh"]'`)
    expect(() => checkChanges(['entrypoint '])).toThrow(`--change 'entrypoint ': ENTRYPOINT needs an argument, e.g. --change 'ENTRYPOINT ["sh"]'`)
    expect(() => checkChanges(['ENV'])).toThrow(`--change 'ENV': ENV needs an argument, e.g. --change 'ENV ...'`)
    // Docker's list of commit commands: SHELL, ARG, MAINTAINER, RUN are not in it.
    for (const refused of ['RUN make', 'SHELL ["/bin/bash", "-c"]', 'ARG x=1', 'MAINTAINER me']) {
      expect(() => checkChanges([refused]), refused).toThrow(`--change '${refused}': docker import does not take ${refused.split(' ')[0]} (it takes CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)`)
    }
    expect(() => checkChanges([''])).toThrow(/docker import does not take an empty instruction/)
    expect(() => checkChanges(['HEALTHCHECK --retries=0 CMD true'])).toThrow(`--change 'HEALTHCHECK --retries=0 CMD true': --retries must be at least 1 (not 0)`)
    expect(() => checkChanges(['ENV A=b junk'])).toThrow(`--change 'ENV A=b junk': ENV could not be read as Docker reads it`)
    expect(() => importImage({} as Image, 'x', ['CMD'])).toThrow(TypeError)
  })

  it('refuses a tar docker import would refuse, and a bad tag', async () => {
    const refused = await readImage(fixture('fidelity/cases/parent-is-file.save.tar'))
    const rootfs = await readImage(fixture('busybox-1.export.tar'))
    expect(() => importImage({...rootfs, layers: refused.layers.slice(0, 1).map((l) => ({...l, files: refused.layers.flatMap((x) => x.files)}))}, 'x', [])).toThrow(LayerRefusedError)
    expect(() => importImage(rootfs, 'Bad:Tag', [])).toThrow(/a tag must look like name:tag/)
    expect(() => importImage(rootfs, 'x', ['RUN x'])).toThrow(UsageError)
  })
})

/** Step numbers as the model makes them: a check that the fixtures and this file agree. */
it('the recorded steps are the archive\'s steps', async () => {
  const image = await readImage(fixture('multistep.save.tar'))
  const steps: Step[] = stepsOf(image)
  expect(steps.map((s) => s.step)).toEqual(multistepSteps().steps.map((s) => s.step))
})
