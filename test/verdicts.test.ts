/**
 * Verdicts that must not claim too much, on engine-made archives (fixtures/README.md):
 * an export of another image is not "history lost"; the export-match line names the matched step
 * by Docker's own id for it; "Same" says what is the same and what is not; sizes add up without
 * mixing compressed and uncompressed bytes; --platform is checked; import --change orders CMD and
 * ENTRYPOINT as Docker does; --image takes the short names Docker and Podman store; an output that
 * is an input under another name, or a directory, is refused.
 */
import {mkdirSync, symlinkSync, linkSync, copyFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {retar, untar} from './fuzz/fuzz-core.mjs'
import {cleanupTemps, expectOneLineError, fixture, run, runJson, sha256File, tempDir} from './helpers/cli.js'
import {dockerSays} from './helpers/fixtures.js'

afterAll(cleanupTemps)
const says = dockerSays()

describe('an export that is not of the image', () => {
  it('is said to be another filesystem, with no lost-history claim', async () => {
    const r = await run([fixture('multistep.save.tar'), fixture('fidelity/cases/xattrs.export.tar')])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^B is not an export of A: its closest is step \d+ of A/m)
    expect(r.stdout).not.toMatch(/History lost/)
    const d = await runJson([fixture('multistep.save.tar'), fixture('fidelity/cases/xattrs.export.tar'), '--json'])
    expect(d.lost).toBeNull()
    expect(d.exportMatch.derived).toBe(false)
  })

  it('an export of the image still matches, and lost its history', async () => {
    const d = await runJson([fixture('busybox-1.save.tar'), fixture('busybox-1.export.tar'), '--json'])
    expect(d.exportMatch).toMatchObject({derived: true, step: 2, differing: 0})
    expect(d.lost).not.toBeNull()
  })
})

describe('the export-match line names the matched step by the id docker history shows for it', () => {
  it('the last step: the image id', async () => {
    const r = await run([fixture('busybox-1.save.tar'), fixture('busybox-1.export.tar')])
    expect(r.stdout).toContain(`matches step 2 of A (${says.images['busybox-1'].id.slice(7, 19)}, mkdir /home/test)`)
  })

  it('an earlier, metadata-only step of a single-image save: <missing>, as docker history shows it after docker load (not a layer\'s id)', async () => {
    // busybox-1's export is closest to multistep's steps 1-4 (busybox, then ENV/LABEL/ENV): ties go to the later step.
    const m = await runJson([fixture('multistep.save.tar'), fixture('busybox-1.create-export.tar'), '--json'])
    expect(m.exportMatch).toMatchObject({step: 4, id: null, createdBy: expect.stringContaining('ENV APP_MODE=prod')})
    const r = await run([fixture('multistep.save.tar'), fixture('busybox-1.create-export.tar')])
    expect(r.stdout).toMatch(/matches step 4 of A \(id <missing>, ENV APP_MODE=prod\)/)
  })
})

describe('"Same" says what is the same and what is not', () => {
  it('one image written by Docker and by skopeo: same filesystem and layers, not the same image id', async () => {
    const r = await run([fixture('busybox-1.save.tar'), fixture('busybox-1.oci-gzip.tar')])
    const last = r.stdout.trim().split('\n').at(-1)!
    expect(last).toMatch(/^Same filesystem, layers, history and runtime config; not the same: image id \(A [0-9a-f]{12}, B [0-9a-f]{12}\)/)
    expect(last).not.toMatch(/^Same:/)
    const d = await runJson([fixture('busybox-1.save.tar'), fixture('busybox-1.oci-gzip.tar'), '--json'])
    expect(d.identity.imageId.a).toBe(says.images['busybox-1'].id)
    expect(d.summary.identical).toBe(true)
  })

  it('the very same archive, compressed: Same', async () => {
    const r = await run([fixture('busybox-1.save.tar'), fixture('busybox-1.save.tar.xz')])
    expect(r.stdout.trim().split('\n').at(-1)).toBe('Same: no differences besides runtime files.')
  })
})

describe('sizes', () => {
  it('an OCI archive is called one, and stored and uncompressed layer bytes are told apart', async () => {
    const r = await run([fixture('busybox-1.oci-gzip.tar'), fixture('busybox-1.export.tar')])
    const line = r.stdout.split('\n').find((l) => l.startsWith('Size A'))!
    expect(line).toMatch(/as stored \(OCI archive\): its layers are .* stored, .* of tar uncompressed/)
    expect(line).not.toMatch(/\bsave\b/)
  })

  it('a compressed archive says so', async () => {
    const r = await run([fixture('busybox-1.save.tar.gz'), fixture('busybox-1.export.tar')])
    expect(r.stdout).toMatch(/^Size A: .* as stored \(docker save, gzip-compressed\)/m)
  })
})

describe('--platform', () => {
  it('is validated', async () => {
    const r = await run(['inspect', fixture('busybox-1.save.tar'), '--platform', 'amd64'])
    expect(expectOneLineError(r, 'bad platform')).toMatch(/--platform amd64: give os\/arch/)
  })

  it('an image of another platform is not silently taken', async () => {
    const r = await run(['inspect', fixture('busybox-1.save.tar'), '--platform', 'linux/arm64'])
    expect(expectOneLineError(r, 'other platform')).toMatch(/no image for --platform linux\/arm64: linux\/amd64/)
    expect((await run(['inspect', fixture('busybox-1.save.tar'), '--platform', 'linux/amd64'])).code).toBe(0)
  })
})

describe('import --change', () => {
  it("CMD then ENTRYPOINT keeps the CMD (Docker's and Podman's rule)", async () => {
    const out = path.join(tempDir(), 'im.tar')
    const d = await runJson(['import', fixture('busybox-1.export.tar'), '-o', out, '--tag', 'x:y', '--change', 'CMD ["echo","hi"]', '--change', 'ENTRYPOINT ["/bin/sh","-c"]', '--json'])
    expect(d.imageId).toMatch(/^sha256:/)
    const config = JSON.parse((await untar(await import('node:fs').then((fs) => fs.readFileSync(out)))).find((e) => e.header.name.endsWith('.json') && !e.header.name.includes('/'))!.data.toString())
    expect(config.config).toMatchObject({Cmd: ['echo', 'hi'], Entrypoint: ['/bin/sh', '-c']})
  })
})

describe('--image takes the short names Docker and Podman store', () => {
  it('busybox:latest finds Podman\'s localhost/busybox:latest', async () => {
    const d = await runJson(['inspect', fixture('buildah/podman-multi.save.tar'), '--json'])
    expect(d.images.map((i: {repoTags: string[]}) => i.repoTags[0])).toEqual(['localhost/busybox:latest', 'localhost/buildah-multi:latest'])
    const r = await runJson(['diff', fixture('buildah/podman-multi.save.tar'), fixture('busybox.save.tar'), '--image', 'busybox:latest', '--json'])
    expect(r.a.repoTags).toEqual(['localhost/busybox:latest'])
    const full = await runJson(['diff', fixture('buildah/podman-multi.save.tar'), fixture('busybox.save.tar'), '--image', 'localhost/buildah-multi', '--json'])
    expect(full.a.repoTags).toEqual(['localhost/buildah-multi:latest'])
  })

  it('a short name that two images answer to is an error naming both', async () => {
    const entries = await untar(await import('node:fs').then((fs) => fs.readFileSync(fixture('busybox-multi.save.tar'))))
    const manifest = entries.find((e) => e.header.name === 'manifest.json')!
    const m = JSON.parse(manifest.data.toString())
    m[0].RepoTags = ['docker.io/library/busybox:latest']
    m[1].RepoTags = ['localhost/busybox:latest']
    manifest.data = Buffer.from(JSON.stringify(m))
    const file = path.join(tempDir(), 'two-busyboxes.tar')
    await import('node:fs').then(async (fs) => fs.writeFileSync(file, await retar(entries)))
    const r = await run(['inspect', file, '--json'])
    expect(r.code).toBe(0)
    const amb = await run(['diff', file, fixture('busybox.save.tar'), '--image', 'busybox'])
    expect(expectOneLineError(amb, 'ambiguous')).toMatch(/--image busybox is ambiguous .*docker\.io\/library\/busybox:latest.*localhost\/busybox:latest/)
  })
})

describe('outputs that would lose data', () => {
  it('an output that is the input under another name (symlink, hard link) is refused, even with --force', async () => {
    const dir = tempDir()
    const victim = path.join(dir, 'victim.tar')
    copyFileSync(fixture('busybox-1.save.tar'), victim)
    const before = sha256File(victim)
    symlinkSync(victim, path.join(dir, 'alias.tar'))
    linkSync(victim, path.join(dir, 'hard.tar'))
    for (const [input, output] of [
      [path.join(dir, 'alias.tar'), victim],
      [victim, path.join(dir, 'alias.tar')],
      [victim, path.join(dir, 'hard.tar')],
    ]) {
      const r = await run(['rollback', input, '--to', '1', '-o', output, '--force'])
      expect(expectOneLineError(r, `${input} -> ${output}`)).toMatch(/is one of the inputs.*refusing to overwrite it/)
    }
    expect(sha256File(victim)).toBe(before)
  })

  it('an output that is a directory, or in a directory that does not exist, is one clear line', async () => {
    const dir = tempDir()
    mkdirSync(path.join(dir, 'sub'))
    const isDir = await run(['flatten', fixture('busybox-1.save.tar'), '-o', path.join(dir, 'sub')])
    expect(expectOneLineError(isDir, 'directory')).toMatch(/is a directory; give a file name/)
    const missing = await run(['flatten', fixture('busybox-1.save.tar'), '-o', path.join(dir, 'nope', 'x.tar')])
    expect(expectOneLineError(missing, 'missing dir')).toMatch(/the directory .*nope does not exist/)
  })
})
