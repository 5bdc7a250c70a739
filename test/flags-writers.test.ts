/**
 * `-o -` for every writer (rollback in both families, flatten, import, report): what comes out on
 * stdout is what `-o FILE` writes, byte for byte (import: but for the creation time it stamps,
 * as `docker import` does), nothing else goes to stdout, and it reads back with tools that are
 * not imgdiff: skopeo for the images (against Docker's recorded diff_ids), GNU tar and Python's
 * tarfile for the root filesystem (against Docker's own export of the same image).
 */
import {execFile} from 'node:child_process'
import {createHash} from 'node:crypto'
import {readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {checkDist, cleanupTemps, fixture, ROOT, tempDir} from './helpers/cli.js'
import {exec} from './helpers/exec.js'
import {dockerSays, multistepSteps, RUNTIME_PARENTS, RUNTIME_PATHS} from './helpers/fixtures.js'
import {judgeListing} from './helpers/judge.js'
import {readTar} from './helpers/tar.js'

afterAll(cleanupTemps)

/** Run imgdiff with stdout kept as bytes (an archive is not text). */
function runBytes(args: string[], env: Record<string, string> = {}): Promise<{code: number; stdout: Buffer; stderr: string}> {
  checkDist()
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'bin/run.js'), ...args], {cwd: ROOT, env: {...process.env, NO_COLOR: '1', ...env}, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, timeout: 60_000}, (error, stdout, stderr) => {
      resolve({code: error ? Number((error as {code?: unknown}).code ?? -1) : 0, stdout, stderr: stderr.toString('utf8')})
    })
  })
}

/** The same command with -o FILE and with -o -: both outputs. */
async function both(args: string[], name: string, env: Record<string, string> = {}): Promise<{file: Buffer; stdout: Buffer; stdoutPath: string}> {
  const dir = tempDir('imgdiff-stdout-')
  const out = path.join(dir, name)
  const viaFile = await runBytes([...args, '-o', out], env)
  expect(viaFile.code, viaFile.stderr).toBe(0)
  const viaStdout = await runBytes([...args, '-o', '-'], env)
  expect(viaStdout.code, viaStdout.stderr).toBe(0)
  expect(viaStdout.stdout.length, 'something on stdout').toBeGreaterThan(0)
  const stdoutPath = path.join(dir, `stdout-${name}`)
  writeFileSync(stdoutPath, viaStdout.stdout)
  return {file: readFileSync(out), stdout: viaStdout.stdout, stdoutPath}
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

async function skopeoConfig(ref: string): Promise<any> {
  const r = await exec('skopeo', ['inspect', '--config', '--raw', ref])
  expect(r.code, `skopeo inspect ${ref}: ${r.stderr}`).toBe(0)
  return JSON.parse(r.stdout)
}

describe('-o - writes what -o FILE writes', () => {
  it('rollback of a docker save: same bytes; skopeo reads Docker\'s step 5 layers', async () => {
    const {file, stdout, stdoutPath} = await both(['rollback', fixture('multistep.save.tar'), '--to', '5'], 'rb.tar')
    expect(sha(stdout)).toBe(sha(file))
    const step = multistepSteps().steps[4]
    const config = await skopeoConfig(`docker-archive:${stdoutPath}`)
    expect(config.rootfs.diff_ids).toEqual(step.diffIds)
    expect(config.history).toHaveLength(step.history)
  })

  it('rollback of an OCI archive: same bytes; an OCI archive skopeo reads, of busybox-1\'s first layer', async () => {
    const {file, stdout, stdoutPath} = await both(['rollback', fixture('busybox-1.oci-gzip.tar'), '--to', '1'], 'rb.oci.tar')
    expect(sha(stdout)).toBe(sha(file))
    const config = await skopeoConfig(`oci-archive:${stdoutPath}`)
    expect(config.rootfs.diff_ids).toEqual(dockerSays().images['busybox-1'].diffIds.slice(0, 1))
  })

  it('flatten: same bytes; GNU tar reads it without a warning, and it lists the paths of Docker\'s export', async () => {
    // SOURCE_DATE_EPOCH fixes the one time flatten cannot know (directories Docker stamps at unpacking).
    const {file, stdout, stdoutPath} = await both(['flatten', fixture('multistep.save.tar')], 'rootfs.tar', {SOURCE_DATE_EPOCH: '0'})
    expect(sha(stdout)).toBe(sha(file))
    const gnu = await exec('tar', ['-tf', stdoutPath])
    expect({code: gnu.code, stderr: gnu.stderr}).toEqual({code: 0, stderr: ''})
    // Docker's export has the runtime files too, and the directories that hold them (formats.md, item 5).
    const runtime = new Set([...RUNTIME_PATHS, ...RUNTIME_PARENTS].map((p) => p.slice(1)))
    const docker = (await judgeListing(fixture('multistep.export.tar'))).map((e) => e.path)
    const ours = (await judgeListing(stdoutPath)).map((e) => e.path)
    expect(ours.filter((p) => !docker.includes(p)), 'paths Docker\'s export does not have').toEqual([])
    expect(docker.filter((p) => !ours.includes(p) && !runtime.has(p) && ![...runtime].some((r) => p.startsWith(`${r}/`)))).toEqual([])
  })

  it('import: the same archive but for the creation time; skopeo reads a layer whose diff_id is the rootfs\'s sha256', async () => {
    const rootfs = fixture('busybox-1.export.tar')
    const {file, stdout, stdoutPath} = await both(['import', rootfs, '--tag', 'imported:stdout', '--change', 'CMD ["sh"]'], 'im.tar')
    const filePath = path.join(path.dirname(stdoutPath), 'im.tar')
    /** Each member by name, the config (and its name) and the legacy v1 ids put aside: they derive from the time. */
    const view = async (bytes: Buffer) => {
      const entries = await readTar(bytes)
      const manifest = JSON.parse(entries.find((e) => e.header.name === 'manifest.json')!.data.toString('utf8'))
      const config = JSON.parse(entries.find((e) => e.header.name === manifest[0].Config)!.data.toString('utf8'))
      const timeless = {...config, created: null, history: config.history.map((h: object) => ({...h, created: null}))}
      const layers = manifest[0].Layers.map((l: string) => sha(entries.find((e) => e.header.name === l)!.data))
      return {repoTags: manifest[0].RepoTags, layers, config: timeless, members: entries.length}
    }
    expect(await view(stdout)).toEqual(await view(file))
    for (const p of [stdoutPath, filePath]) {
      const config = await skopeoConfig(`docker-archive:${p}`)
      expect(config.rootfs.diff_ids).toEqual([`sha256:${sha(readFileSync(rootfs))}`])
      expect(config.config.Cmd).toEqual(['sh'])
    }
  })

  it('report: the same page', async () => {
    const {file, stdout} = await both(['report', fixture('busybox-1.save.tar'), fixture('busybox-1.export.tar')], 'r.html')
    expect(sha(stdout)).toBe(sha(file))
    expect(stdout.toString('utf8')).toMatch(/^<!DOCTYPE html>/)
  })
})
