/**
 * Sources other than a tar file, made by the real tools: OCI layout directories from
 * `skopeo copy ... oci:DIR` and from umoci, skopeo's `dir:` layout, a root filesystem unpacked
 * with tar; each reads as the archive it came from. Bad sources are one line, exit 2. (The
 * engine sources, docker:, podman: and container:, are in test/e2e/sources-engines.test.ts.)
 * skopeo and umoci come from Debian (.ci/run installs them); without them this suite fails.
 */
import {execFileSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:net'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {cleanupTemps, expectOneLineError, fixture, run, runJson, tempDir} from './helpers/cli.js'
import {exec} from './helpers/exec.js'

afterAll(cleanupTemps)

const SAVE = fixture('busybox-1.save.tar')
const EXPORT = fixture('busybox-1.export.tar')
let dir = ''

beforeAll(() => {
  dir = tempDir('imgdiff-sources-')
  const tool = (cmd: string, args: string[]) => execFileSync(cmd, args, {stdio: 'pipe'})
  tool('skopeo', ['--insecure-policy', 'copy', '-q', `docker-archive:${SAVE}`, `oci:${dir}/oci:bb1`])
  tool('skopeo', ['--insecure-policy', 'copy', '-q', `docker-archive:${SAVE}`, `dir:${dir}/skopeo-dir`])
  // umoci: an empty image, the export unpacked into its bundle, repacked as one layer.
  tool('umoci', ['init', '--layout', `${dir}/umoci`])
  tool('umoci', ['new', '--image', `${dir}/umoci:base`])
  tool('umoci', ['unpack', '--image', `${dir}/umoci:base`, `${dir}/bundle`])
  tool('tar', ['-xf', EXPORT, '-C', `${dir}/bundle/rootfs`])
  tool('umoci', ['repack', '--image', `${dir}/umoci:v1`, `${dir}/bundle`])
  mkdirSync(`${dir}/rootfs`)
  tool('tar', ['-xpf', EXPORT, '-C', `${dir}/rootfs`])
}, 120_000)

/** What makes two readings the same: layers, files and their contents, config. */
const essence = (s: any) => ({diffIds: s.layers.map((l: {diffId: string}) => l.diffId), history: s.history.length, config: s.config?.config ?? null})

describe('directories read as the archive they came from', () => {
  it('an OCI layout by skopeo, as a path, as oci:DIR and as oci:DIR:TAG', async () => {
    const fromArchive = (await runJson(['inspect', fixture('busybox-1.oci-gzip.tar'), '--json'])).images[0]
    for (const arg of [`${dir}/oci`, `oci:${dir}/oci`, `oci:${dir}/oci:bb1`]) {
      const d = await runJson(['inspect', arg, '--json'])
      expect(d.images).toHaveLength(1)
      expect(essence(d.images[0]), arg).toEqual(essence(fromArchive))
      expect(d.images[0].source.kind).toBe('directory')
    }
    const same = await runJson(['diff', SAVE, `oci:${dir}/oci:bb1`, '--json'])
    expect(same.summary.identical).toBe(true)
  })

  it("skopeo's dir: layout, as dir:DIR and as a path", async () => {
    for (const arg of [`dir:${dir}/skopeo-dir`, `${dir}/skopeo-dir`]) {
      const d = await runJson(['diff', SAVE, arg, '--json'])
      expect(d.b.format, arg).toBe('skopeo-dir')
      // skopeo keeps the config as it was: the very image, untagged.
      expect(d.b.imageId).toBe(d.a.imageId)
      expect(d.summary.identical).toBe(true)
    }
  })

  it('an OCI layout made by umoci from the export: the same filesystem as the export', async () => {
    const d = await runJson(['diff', EXPORT, `oci:${dir}/umoci:v1`, '--json'])
    expect(d.files.filter((f: {runtime: boolean}) => !f.runtime)).toEqual([])
    expect(d.b.format).toBe('oci-layout')
  })

  it('a root filesystem directory (tar -x of the export) diffs against the export as identical', async () => {
    const d = await runJson(['diff', EXPORT, `${dir}/rootfs`, '--json'])
    expect(d.b.kind).toBe('export')
    expect(d.files).toEqual([])
    expect(d.summary.identical).toBe(true)
  })

  it('rollback and flatten take a directory too', async () => {
    const out = path.join(tempDir(), 'rb.tar')
    const r = await runJson(['rollback', `oci:${dir}/oci:bb1`, '--to', '1', '-o', out, '--json'])
    expect(r.family).toBe('oci')
    const flat = path.join(tempDir(), 'flat.tar')
    expect((await run(['flatten', `${dir}/skopeo-dir`, '-o', flat])).code).toBe(0)
    expect((await runJson(['diff', SAVE, flat, '--json'])).summary.identical).toBe(true)
  })
})

describe('bad sources: one line, exit 2', () => {
  it('a directory that looks like an image layout but is not a complete one', async () => {
    const broken = tempDir()
    writeFileSync(path.join(broken, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}')
    expect(expectOneLineError(await run(['inspect', broken]), 'broken layout')).toMatch(/looks like an image layout .*but/)
  })

  it('no engine at the socket', async () => {
    const r = await run(['inspect', 'docker:busybox'], {env: {DOCKER_HOST: `unix://${tempDir()}/none.sock`}})
    expect(expectOneLineError(r, 'no socket')).toMatch(/no Docker engine answers at unix:\/\/.*none\.sock \(DOCKER_HOST\); DOCKER_HOST=unix:/)
    const podman = await run(['inspect', 'podman:busybox'], {env: {CONTAINER_HOST: `unix://${tempDir()}/none.sock`}})
    expect(expectOneLineError(podman, 'no podman')).toMatch(/no Podman engine answers at .*podman system service/)
  })

  it('a socket this user may not open: permission denied, with the hint', async () => {
    const sockDir = tempDir()
    const sock = path.join(sockDir, 'docker.sock')
    const server = createServer(() => {})
    await new Promise<void>((resolve) => server.listen(sock, resolve))
    try {
      execFileSync('chmod', ['0600', sock])
      execFileSync('chmod', ['0755', sockDir])
      // As an unprivileged user (root passes every permission check).
      const r = await exec('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, path.resolve('bin/run.js'), 'inspect', 'docker:busybox'], {env: {...process.env, DOCKER_HOST: `unix://${sock}`, HOME: '/tmp'}})
      expect(expectOneLineError(r, 'permissions')).toMatch(/permission denied on unix:\/\/.*docker\.sock/)
    } finally {
      server.close()
    }
  })

  it('a transport with nothing after the colon', async () => {
    expect(expectOneLineError(await run(['inspect', 'docker:']), 'empty ref')).toMatch(/name an image after the colon|no Docker engine/)
  })

  it('an empty stream', async () => {
    const r = await exec('bash', ['-c', `${process.execPath} bin/run.js inspect - < /dev/null`])
    expect(expectOneLineError(r, 'empty stdin')).toMatch(/gave no bytes/)
  })
})
