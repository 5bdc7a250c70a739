/**
 * The command line as people meet it: through a pseudo-terminal (`script`, at 80 and 60 columns),
 * piped, with NO_COLOR; help, versions, mistyped commands, completion; errors in one line (and in
 * JSON with --json); the summary modes on engine-made archives; stdin; two images of one archive.
 */
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {cleanupTemps, expectOneLineError, fixture, ROOT, run, runJson, tempDir} from './helpers/cli.js'
import {exec} from './helpers/exec.js'
import {dockerSays} from './helpers/fixtures.js'

afterAll(cleanupTemps)

const BIN = path.join(ROOT, 'bin/run.js')
const ESC = /\u001B\[[0-9;]*m/g
const visible = (line: string) => [...line.replace(ESC, '')].length

/** Run imgdiff on a pseudo-terminal of `cols` columns; stderr (the progress line) goes to a file. */
async function onTerminal(args: string[], cols: number, env: Record<string, string> = {}): Promise<{out: string; err: string}> {
  const dir = tempDir()
  const err = path.join(dir, 'stderr')
  const quoted = args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ')
  const envText = Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')
  const r = await exec('script', ['-qec', `stty cols ${cols} rows 50; ${envText} ${process.execPath} ${BIN} ${quoted} 2>${err}`, '/dev/null'], {
    env: {...process.env, TERM: 'xterm', NO_COLOR: '', FORCE_COLOR: ''},
  })
  return {out: r.stdout.replace(/\r/g, ''), err: existsSync(err) ? readFileSync(err, 'utf8') : ''}
}

describe('on a terminal', () => {
  const views: Array<[string, string[]]> = [
    ['inspect', ['inspect', fixture('multistep.save.tar')]],
    ['tree', ['tree', fixture('busybox.save.tar'), fixture('multistep.save.tar'), fixture('buildah/buildah-multi.save.tar')]],
    ['diff --stat', ['diff', fixture('busybox.save.tar'), fixture('multistep.save.tar'), '--stat']],
    ['diff', [fixture('multistep.save.tar'), fixture('multistep.export.tar')]],
  ]
  for (const cols of [80, 60]) {
    for (const [what, args] of views) {
      it(`${what} at ${cols} columns: coloured, and no line is wider than the terminal`, async () => {
        const {out} = await onTerminal(args, cols)
        expect(out, 'colour on a terminal').toMatch(ESC)
        const lines = out.split('\n')
        expect(lines.filter((l) => l.trim() !== '').length).toBeGreaterThan(1)
        const wide = lines.filter((l) => visible(l) > cols)
        expect(wide, `lines wider than ${cols}`).toEqual([])
      })
    }
  }

  it('NO_COLOR and --no-color turn colour off there; piped output has none', async () => {
    expect((await onTerminal(['inspect', fixture('busybox-1.save.tar')], 80, {NO_COLOR: '1'})).out).not.toMatch(ESC)
    expect((await onTerminal(['inspect', fixture('busybox-1.save.tar'), '--no-color'], 80)).out).not.toMatch(ESC)
    const piped = await exec(process.execPath, [BIN, 'inspect', fixture('busybox-1.save.tar')], {env: {...process.env, NO_COLOR: '', FORCE_COLOR: ''}})
    expect(piped.stdout).not.toMatch(ESC)
  })

  it('a flag on the command line wins over NO_COLOR and FORCE_COLOR', async () => {
    const inspect = (flag: string, env: Record<string, string>) => exec(process.execPath, [BIN, 'inspect', fixture('busybox-1.save.tar'), flag], {env: {...process.env, ...env}})
    expect((await inspect('--color', {NO_COLOR: '1', FORCE_COLOR: ''})).stdout).toMatch(ESC)
    expect((await inspect('--color', {NO_COLOR: '', FORCE_COLOR: '0'})).stdout).toMatch(ESC)
    expect((await onTerminal(['inspect', fixture('busybox-1.save.tar'), '--no-color'], 80, {FORCE_COLOR: '1'})).out).not.toMatch(ESC)
  })

  it('an archive is not written to a terminal', async () => {
    const {out, err} = await onTerminal(['flatten', fixture('busybox-1.save.tar'), '-o', '-'], 80)
    expect(err).toMatch(/refusing to write an archive to a terminal/)
    expect(out.length).toBeLessThan(200)
  })
})

describe('help, versions, mistakes', () => {
  it('help, help diff, -h, --version and -v all answer', async () => {
    const help = await run(['help'])
    expect(help.code).toBe(0)
    for (const c of ['diff', 'inspect', 'tree', 'rollback', 'flatten', 'import', 'autocomplete']) expect(help.stdout, c).toMatch(new RegExp(`^\\s+${c}\\s`, 'm'))
    expect((await run(['help', 'diff'])).stdout).toMatch(/--name-status/)
    expect((await run(['-h'])).stdout).toMatch(/COMMANDS/)
    const version = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version
    expect((await run(['--version'])).stdout).toContain(`imgdiff/${version}`)
    expect((await run(['-v'])).stdout).toContain(`imgdiff/${version}`)
  })

  it('a mistyped command is not read as an archive: "did you mean"', async () => {
    const r = await run(['dif', 'a.tar', 'b.tar'])
    expect(expectOneLineError(r, 'dif')).toMatch(/'dif' is not an imgdiff command.*did you mean 'diff'/)
    expect(expectOneLineError(await run(['inspct', 'x.tar']), 'inspct')).toMatch(/did you mean 'inspect'/)
  })

  it('help shows no empty defaults, and no --content-hash where it does nothing', async () => {
    for (const c of ['diff', 'inspect', 'tree', 'rollback', 'flatten', 'import']) {
      const h = (await run([c, '--help'])).stdout
      expect(h, c).not.toMatch(/\[default: \]/)
      if (c !== 'diff') expect(h, c).not.toMatch(/--content-hash/)
    }
  })

  it('bash completion installs and knows the commands', async () => {
    const home = tempDir()
    const env = {HOME: home, XDG_CACHE_HOME: path.join(home, '.cache')}
    const r = await run(['autocomplete', 'bash'], {env})
    expect(r.code, r.stderr).toBe(0)
    const setup = path.join(home, '.cache/imgdiff/autocomplete/bash_setup')
    expect(existsSync(setup), 'the bash setup file').toBe(true)
    const check = await exec('bash', ['-c', `source ${setup}; complete -p imgdiff`])
    expect(check.code, check.stderr).toBe(0)
    const functions = readFileSync(path.join(home, '.cache/imgdiff/autocomplete/functions/bash/imgdiff.bash'), 'utf8')
    for (const c of ['diff', 'inspect', 'rollback', 'flatten']) expect(functions).toContain(c)
    expect((await run(['autocomplete', 'zsh'], {env})).code).toBe(0)
  })
})

describe('every error is one line with a hint', () => {
  const out = () => path.join(tempDir(), 'out.tar')
  const cases: Array<[string, string[], RegExp]> = [
    ['two missing required flags', ['rollback', fixture('busybox-1.save.tar')], /Missing required flag/],
    ['--change CMD without its argument', ['import', fixture('busybox-1.export.tar'), '-o', 'x.tar', '--tag', 'a:b', '--change', 'CMD'], /CMD needs an argument/],
    ['a negative --max-content', ['diff', fixture('busybox.save.tar'), fixture('busybox-1.save.tar'), '--max-content', '-5'], /--max-content/],
    ['an unknown --ignore field', ['diff', fixture('busybox.save.tar'), fixture('busybox-1.save.tar'), '--ignore', 'colour'], /unknown field colour/],
    ['--json with -o -', ['flatten', fixture('busybox-1.save.tar'), '-o', '-', '--json'], /--json and -o - would both write to stdout/],
    ['a compression imgdiff cannot write', ['flatten', fixture('busybox-1.save.tar'), '-o', '/tmp/x.tar.zst'], /writes plain tars and gzip/],
  ]
  for (const [what, args, pattern] of cases) {
    it(what, async () => {
      expect(expectOneLineError(await run(args), what)).toMatch(pattern)
    })
  }

  it('with --json, the error is also a JSON object on stdout, and the exit status stays 2', async () => {
    const r = await run(['inspect', '/nonexistent.tar', '--json'])
    expect(r.code).toBe(2)
    expect(JSON.parse(r.stdout)).toEqual({error: {code: 'bad-archive', message: expect.stringMatching(/no such file/)}})
    const usage = await run(['rollback', fixture('busybox-1.save.tar'), '--to', '99', '-o', out(), '--json'])
    expect(JSON.parse(usage.stdout).error.code).toBe('usage')
  })

  it('-o x.tar.gz writes gzip, which reads back as the same image', async () => {
    const file = path.join(tempDir(), 'r.tar.gz')
    const done = await runJson(['rollback', fixture('busybox-1.save.tar'), '--to', '1', '-o', file, '--json'])
    expect(readFileSync(file).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]))
    const back = await runJson(['inspect', file, '--json'])
    expect(back.images[0].imageId).toBe(done.imageId)
    expect(back.images[0].compression).toBe('gzip')
  })
})

describe('summaries, as git gives them', () => {
  const A = fixture('busybox.save.tar')
  const B = fixture('multistep.save.tar')

  it('--name-only is the path list of --json, one per line, nothing else', async () => {
    const names = await run(['diff', A, B, '--name-only'])
    const d = await runJson(['diff', A, B, '--json'])
    const paths = d.files.filter((f: {runtime: boolean}) => !f.runtime).map((f: {path: string}) => f.path)
    expect(paths.length).toBeGreaterThan(10)
    expect(names.stdout.trim().split('\n').sort()).toEqual([...paths].sort())
    expect(names.stderr).toBe('')
  })

  it('--name-status prefixes A, D or M and a tab', async () => {
    const d = await runJson(['diff', B, A, '--json'])
    const lines = (await run(['diff', B, A, '--name-status'])).stdout.trim().split('\n')
    const mark = {added: 'A', removed: 'D', modified: 'M'} as Record<string, string>
    expect(lines).toEqual(d.files.filter((f: {runtime: boolean}) => !f.runtime).map((f: {change: string; path: string}) => `${mark[f.change]}\t${f.path}`))
  })

  it('--stat counts per kind and per top-level directory', async () => {
    const d = await runJson(['diff', A, B, '--json'])
    const s = (await run(['diff', A, B, '--stat'])).stdout
    expect(s).toMatch(new RegExp(`${d.summary.added} added`))
    expect(s).toMatch(new RegExp(`${d.summary.modified} modified`))
    const app = d.files.filter((f: {path: string}) => f.path === '/app' || f.path.startsWith('/app/')).length
    expect(s).toMatch(new RegExp(`^ /app\\s+${app} paths`, 'm'))
  })

  it('-q prints nothing and exits 1 when different, 0 when the same', async () => {
    const diff = await run(['diff', A, B, '-q'])
    expect({code: diff.code, out: diff.stdout}).toEqual({code: 1, out: ''})
    const same = await run(['diff', fixture('busybox-1.save.tar'), fixture('busybox-1.save.tar.gz'), '-q'])
    expect({code: same.code, out: same.stdout}).toEqual({code: 0, out: ''})
  })

  it('an M line shows each changed field old -> new, exactly when rounding would hide a size change, and --ignore hides a field', async () => {
    const lines = (await run(['diff', fixture('multistep.save.tar'), fixture('fidelity/cases/xattrs.export.tar')])).stdout
    expect(lines).toMatch(/^  D \/app\/  /m)
    const chmod = (await run(['diff', B, fixture('busybox-1.save.tar'), '--path', '/etc/**'])).stdout
    expect(chmod).not.toMatch(/\d(\.\d+)? [kM]B -> \d(\.\d+)? [kM]B/)
    const text = (await run(['diff', fixture('busybox.save.tar'), fixture('busybox-1.save.tar')])).stdout
    expect(text).toMatch(/^  M \/home\/  mtime .* -> /m)
    const ignored = (await run(['diff', fixture('busybox.save.tar'), fixture('busybox-1.save.tar'), '--ignore', 'mtime'])).stdout
    expect(ignored).not.toMatch(/^  M \/home\//m)
  })
})

describe('sources of bytes', () => {
  it('- reads stdin, the same as the file', async () => {
    const viaFile = await runJson(['diff', fixture('busybox-1.save.tar'), fixture('busybox-1.export.tar'), '--json'])
    const r = await exec('bash', ['-c', `${process.execPath} ${BIN} - ${fixture('busybox-1.export.tar')} --json < ${fixture('busybox-1.save.tar')}`])
    expect(r.code, r.stderr).toBe(0)
    const viaStdin = JSON.parse(r.stdout)
    expect(viaStdin.files).toEqual(viaFile.files)
    expect(viaStdin.a.imageId).toBe(viaFile.a.imageId)
    expect(viaStdin.a.source.kind).toBe('stdin')
  })

  it('a pipe from process substitution, <(cat a.tar), is read too', async () => {
    const r = await exec('bash', ['-c', `${process.execPath} ${BIN} <(cat ${fixture('busybox-1.save.tar')}) ${fixture('busybox-1.export.tar')}`])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout.trim().split('\n').at(-1)).toMatch(/^Same filesystem/)
  })

  it('rollback from stdin copies it to a temp file first, and removes it', async () => {
    const out = path.join(tempDir(), 'r.tar')
    const r = await exec('bash', ['-c', `TMPDIR=${tempDir()} ${process.execPath} ${BIN} rollback - --to 1 -o ${out} --json < ${fixture('busybox-1.save.tar')}`])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).layers).toBe(1)
  })

  it('ARCHIVE@N compares two images of one archive', async () => {
    const d = await runJson(['diff', `${fixture('busybox-multi.save.tar')}@1`, `${fixture('busybox-multi.save.tar')}@2`, '--json'])
    expect([d.a.repoTags, d.b.repoTags]).toEqual([['busybox:latest'], ['busybox-1:latest']])
    expect(d.files.map((f: {path: string}) => f.path)).toContain('/home/test')
    const flags = await runJson(['diff', fixture('busybox-multi.save.tar'), fixture('busybox-multi.save.tar'), '--image-a', 'busybox', '--image-b', 'busybox-1:latest', '--json'])
    expect(flags.files).toEqual(d.files)
  })

  it('ARCHIVE@N works for every command, not only diff', async () => {
    const multi = fixture('busybox-multi.save.tar')
    expect((await runJson(['inspect', `${multi}@2`, '--json'])).images.map((i: {repoTags: string[]}) => i.repoTags)).toEqual([['busybox-1:latest']])
    const out = path.join(tempDir(), 'r.tar')
    expect((await runJson(['rollback', `${multi}@busybox-1:latest`, '--to', '1', '-o', out, '--json'])).imageId).toBe(dockerSays().images.busybox.id)
  })

  it('flags may come before the archives in the short form, and repeatable ones take one value each', async () => {
    const pair = [fixture('busybox.save.tar'), fixture('busybox-1.save.tar')]
    const short = await run(['--name-only', '--path', '/home/**', ...pair])
    expect(short.code).toBe(0)
    expect(short.stdout.trim().split('\n')).toEqual(['/home', '/home/test'])
    expect((await run(['-q', ...pair])).code).toBe(1)
  })
})

describe('JSON that scripts do not trip over', () => {
  it('an export has config {} and history [], never null', async () => {
    const d = await runJson(['diff', fixture('busybox-1.save.tar'), fixture('busybox-1.export.tar'), '--json'])
    expect(d.b.config).toEqual({})
    expect(d.b.history).toEqual([])
    const i = await runJson(['inspect', fixture('busybox-1.export.tar'), '--json'])
    expect(i.images[0].config).toEqual({})
  })

  it('--content puts the patches in the JSON', async () => {
    const d = await runJson(['diff', fixture('multistep.save.tar'), fixture('busybox-1.save.tar'), '--content', '--json'])
    expect(Object.keys(d.patches).length).toBeGreaterThan(0)
    expect(Object.values(d.patches).join('')).toMatch(/^@@ /m)
  })

  it('each side names where it came from', async () => {
    const d = await runJson(['diff', fixture('busybox-1.save.tar'), fixture('busybox-1.export.tar'), '--json'])
    expect(d.a.source).toEqual({kind: 'file', ref: fixture('busybox-1.save.tar')})
  })
})

it('the README commands of this file stay in sync with the CLI (help lists each command on its own line)', async () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
  writeFileSync(path.join(tempDir(), 'readme'), readme)
  for (const c of ['diff', 'inspect', 'tree', 'rollback', 'flatten', 'import']) expect(readme).toMatch(new RegExp(`imgdiff ${c}\\b`))
})
