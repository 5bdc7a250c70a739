#!/usr/bin/env node
// imgdiff benchmark: wall time and peak RSS of imgdiff on big real Docker archives, next to the floor
// (openssl sha256 / cat / tee / zcat) and next to the peer tools (container-diff, dive, crane), all
// measured in ONE run and printed as ONE table.
//
//   node test/bench/run.mjs [--runs N] [--no-build] [--no-check] [--jobs a,b,...]
//
// Archives come from test/bench/make-archives.sh (run here when any is missing) into
// test/bench/.cache/. Every command runs N times (default 3), interleaved round by round, under GNU
// time (`/usr/bin/time -f "%e %M"`); the table shows the median wall time and the highest peak RSS
// of the N runs (for a shell pipeline GNU time reports the largest process of it, not the sum).
// Caches cannot be dropped here, so each archive is read once (cat > /dev/null) before timing and
// every command reads from page cache. Outputs a command writes are deleted (and `sync`ed) between
// commands, untimed.
//
// imgdiff under test: the working tree's src/, compiled with tsc into test/bench/.cache/imgdiff-build/
// (a private copy, so that a concurrent `npm run build` cannot change it mid-run, and dist/ is never
// touched). When src/ does not compile (someone's half-done edit), the last build that did is used,
// or else git HEAD's src/; the table's head says which. --no-build runs dist/ as found.
//
// Peers: binaries in $IMGDIFF_PEERS/bin (or $IMGDIFF_PEERS) or else test/bench/.cache/peers/bin, built
// as ../shared/tools/peers/README.md says (never committed). A missing one keeps its row, marked
// "not built".
//
// Outputs: the table (markdown) on stdout and in test/bench/.cache/latest.md; every measured number in
// test/bench/.cache/latest.json. Exit 1 when an imgdiff command failed or the save-vs-export check
// failed; targets not met do not change the exit status.
import {spawnSync, execSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const cache = path.join(here, '.cache')
const TIME = '/usr/bin/time'
const TIMEOUT_S = 900 // per command run; a hung peer must not hang the bench
const PEERS_README = '../shared/tools/peers/README.md'

// ------------------------------------------------------------------ arguments
const argv = process.argv.slice(2)
let runs = 3
let build = true
let check = true
let onlyJobs = null
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]
  if (a === '--runs') runs = Number(argv[++i])
  else if (a.startsWith('--runs=')) runs = Number(a.slice(7))
  else if (a === '--no-build') build = false
  else if (a === '--no-check') check = false
  else if (a === '--jobs') onlyJobs = argv[++i].split(',')
  else if (a.startsWith('--jobs=')) onlyJobs = a.slice(7).split(',')
  else if (a === '-h' || a === '--help') {
    console.log('usage: node test/bench/run.mjs [--runs N] [--no-build] [--no-check] [--jobs ' + 'diffExport,diffSaves,inspect,flatten,rollback,gz,report,flat' + ']')
    process.exit(0)
  } else {
    console.error(`unknown argument: ${a}`)
    process.exit(2)
  }
}
if (!Number.isInteger(runs) || runs < 1) {
  console.error('--runs wants a positive integer')
  process.exit(2)
}
const jobOn = (j) => !onlyJobs || onlyJobs.includes(j)

const log = (m) => process.stderr.write(`== [${new Date().toTimeString().slice(0, 8)}] ${m}\n`)
const sh = (cmd) => execSync(cmd, {encoding: 'utf8', cwd: root, stdio: ['ignore', 'pipe', 'pipe']}).trim()
const q = (s) => `'${String(s).replaceAll("'", "'\\''")}'`

// ------------------------------------------------------------------ archives
const A = (f) => path.join(cache, f)
const needed = ['big.save.tar', 'big.save.tar.gz', 'big.export.tar', 'big2.save.tar', 'step2.save.tar', 'meta.json']
if (needed.some((f) => !fs.existsSync(A(f)) || fs.statSync(A(f)).size === 0)) {
  log('archives missing: running make-archives.sh (about 15 minutes, needs a Docker engine)')
  const r = spawnSync('bash', [path.join(here, 'make-archives.sh')], {stdio: ['ignore', 2, 2], cwd: root})
  if (r.status !== 0) {
    console.error(`make-archives.sh failed (exit ${r.status})`)
    process.exit(2)
  }
}
const meta = JSON.parse(fs.readFileSync(A('meta.json'), 'utf8'))
const step = meta.rollbackStepImgdiffInspect ?? meta.rollbackStep

// ------------------------------------------------------------------ imgdiff under test
function gitState(dir = root) {
  try {
    const head = execSync('git rev-parse --short HEAD', {cwd: dir, encoding: 'utf8'}).trim()
    const dirty = execSync('git status --porcelain -- src package.json bin', {cwd: dir, encoding: 'utf8'}).split('\n').filter(Boolean).length
    return {head, dirty, text: `git ${head}${dirty ? ` + ${dirty} uncommitted change(s) in src/, bin/ or package.json` : ' (clean src/)'}`}
  } catch {
    return {head: null, dirty: null, text: 'git state unknown'}
  }
}
const buildDir = path.join(cache, 'imgdiff-build')
function tsc(projectDir, outDir) {
  const r = spawnSync('npx', ['tsc', '-p', path.join(projectDir, 'tsconfig.json'), '--outDir', outDir], {cwd: root, encoding: 'utf8'})
  return {ok: r.status === 0, errors: `${r.stdout}${r.stderr}`.trim().split('\n').slice(0, 5)}
}
function finishSnapshot(dir, binFrom, pkgFrom, source) {
  fs.mkdirSync(path.join(dir, 'bin'), {recursive: true})
  fs.copyFileSync(path.join(binFrom, 'run.js'), path.join(dir, 'bin', 'run.js'))
  fs.copyFileSync(pkgFrom, path.join(dir, 'package.json'))
  fs.rmSync(path.join(dir, 'node_modules'), {force: true})
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'))
  // oclif's manifest, as `npm run build` writes it: without it each run imports every command first.
  if (fs.existsSync(path.join(binFrom, 'manifest.js'))) {
    fs.copyFileSync(path.join(binFrom, 'manifest.js'), path.join(dir, 'bin', 'manifest.js'))
    execSync(`node ${q(path.join(dir, 'bin', 'manifest.js'))}`, {stdio: 'ignore'})
  }
  fs.writeFileSync(path.join(dir, 'build.json'), JSON.stringify({...source, builtAt: new Date().toISOString()}, null, 2) + '\n')
}
function installSnapshot(tmpDir) {
  fs.rmSync(buildDir + '.old', {recursive: true, force: true})
  if (fs.existsSync(buildDir)) fs.renameSync(buildDir, buildDir + '.old')
  fs.renameSync(tmpDir, buildDir)
  fs.rmSync(buildDir + '.old', {recursive: true, force: true})
}
let imgdiffRoot = root // where bin/run.js is run from
let build_ = {kind: 'dist-as-found', note: 'dist/ as found (--no-build)', git: gitState()}
if (build) {
  const git = gitState()
  const tmpDir = fs.mkdtempSync(path.join(cache, 'imgdiff-build.new-'))
  log(`building imgdiff from the working tree (${git.text}) into ${path.relative(root, buildDir)}/`)
  const r = tsc(root, path.join(tmpDir, 'dist'))
  if (r.ok) {
    finishSnapshot(tmpDir, path.join(root, 'bin'), path.join(root, 'package.json'), {source: 'working tree', git})
    installSnapshot(tmpDir)
    build_ = {kind: 'working-tree', note: `built from the working tree: ${git.text}`, git}
  } else {
    fs.rmSync(tmpDir, {recursive: true, force: true})
    const why = `src/ does not compile now (${r.errors[0] ?? 'tsc failed'}${r.errors.length > 1 ? ' ...' : ''})`
    log(why)
    const last = path.join(buildDir, 'build.json')
    if (fs.existsSync(last)) {
      const b = JSON.parse(fs.readFileSync(last, 'utf8'))
      build_ = {kind: 'last-good', note: `${why}: benched the last build that compiled (${b.source}, ${b.git?.text}, built ${b.builtAt})`, git: b.git, tscErrors: r.errors}
    } else {
      // No earlier good build here: compile git HEAD's committed src/ (read with git archive; the
      // working tree is not touched).
      const headDir = fs.mkdtempSync(path.join(cache, 'imgdiff-build.new-'))
      let ok = false
      try {
        execSync(`git archive HEAD src bin tsconfig.json package.json | tar -x -C ${q(headDir)}`, {cwd: root, stdio: 'ignore'})
        ok = tsc(headDir, path.join(headDir, 'dist')).ok
      } catch {}
      if (ok) {
        const headGit = {head: git.head, dirty: 0, text: `git ${git.head} (committed src/ only)`}
        finishSnapshot(headDir, path.join(headDir, 'bin'), path.join(headDir, 'package.json'), {source: 'git HEAD', git: headGit})
        installSnapshot(headDir)
        build_ = {kind: 'git-head', note: `${why}: benched git HEAD's src/ (${git.head}) instead`, git: headGit, tscErrors: r.errors}
      } else {
        fs.rmSync(headDir, {recursive: true, force: true})
        build_ = {kind: 'dist-as-found', note: `${why}, nor does HEAD's: benched dist/ as found`, git, tscErrors: r.errors}
      }
    }
  }
  if (build_.kind !== 'dist-as-found') imgdiffRoot = buildDir
}
const imgdiffVersion = (() => {
  try {
    return execSync(`node ${q(path.join(imgdiffRoot, 'bin/run.js'))} --version`, {encoding: 'utf8'}).trim()
  } catch {
    return 'unknown'
  }
})()

// ------------------------------------------------------------------ peers
function peerPath(name) {
  const dirs = process.env.IMGDIFF_PEERS
    ? [path.join(process.env.IMGDIFF_PEERS, 'bin'), process.env.IMGDIFF_PEERS]
    : [path.join(cache, 'peers', 'bin')]
  for (const d of dirs) {
    const p = path.join(d, name)
    try {
      fs.accessSync(p, fs.constants.X_OK)
      if (fs.statSync(p).isFile()) return p
    } catch {}
  }
  return null
}
const peers = {}
for (const [name, versionArgs] of Object.entries({'container-diff': ['version'], dive: ['--version'], crane: ['version'], diffoci: ['--version']})) {
  const p = peerPath(name)
  let version = null
  if (p) {
    const r = spawnSync(p, versionArgs, {encoding: 'utf8', timeout: 30_000})
    version = `${r.stdout}${r.stderr}`.trim().split('\n')[0] || null
  }
  peers[name] = {path: p, version}
}
const NOT_BUILT = `not built (see ${PEERS_README})`

// ------------------------------------------------------------------ measuring
const tmp = fs.mkdtempSync(path.join(cache, 'run-'))
const timeFile = path.join(tmp, 'time.txt')
const out = (f) => path.join(tmp, f)
const failures = []

/**
 * Run one command under GNU time (and coreutils timeout). spec: {argv, cwd, env, stdin, stdout,
 * accept(status, stdoutFile) -> bool, outputs: files it writes, isolate: fresh empty HOME, cwd, TMPDIR}.
 * Returns {wall, rssMB, status, ok}.
 */
function timed(name, spec) {
  for (const f of spec.outputs ?? []) fs.rmSync(f, {force: true})
  let cwd = spec.cwd ?? root
  let env = process.env
  let iso = null
  if (spec.isolate) {
    iso = fs.mkdtempSync(path.join(tmp, `iso-${name}-`))
    for (const d of ['home', 'cwd', 'tmp']) fs.mkdirSync(path.join(iso, d))
    cwd = path.join(iso, 'cwd')
    env = {...process.env, HOME: path.join(iso, 'home'), TMPDIR: path.join(iso, 'tmp')}
  }
  const stdin = spec.stdin ? fs.openSync(spec.stdin, 'r') : 'ignore'
  const stdoutFile = spec.stdout === 'file' ? out(`${name}.stdout`) : null
  const stdout = fs.openSync(stdoutFile ?? '/dev/null', 'w')
  fs.rmSync(timeFile, {force: true})
  const load1 = os.loadavg()[0] // other work on the machine makes times noisy: say how busy it was
  const r = spawnSync(TIME, ['-f', '%e %M', '-o', timeFile, 'timeout', '-k', '10', String(TIMEOUT_S), ...spec.argv], {
    cwd,
    env,
    stdio: [stdin, stdout, 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  })
  if (typeof stdin === 'number') fs.closeSync(stdin)
  fs.closeSync(stdout)
  let wall = NaN
  let kb = NaN
  try {
    const lines = fs.readFileSync(timeFile, 'utf8').trim().split('\n')
    ;[wall, kb] = lines[lines.length - 1].split(/\s+/).map(Number)
  } catch {}
  const stderr = (r.stderr ?? Buffer.alloc(0)).toString()
  const status = r.status
  const ok = spec.accept ? spec.accept(status, stdoutFile) : status === 0
  if (!ok) {
    failures.push({name, cmd: spec.argv.join(' '), status, timedOut: status === 124, stderr: stderr.trim().split('\n').slice(-5).join('\n')})
  }
  // Untimed clean-up: outputs go (dirty pages of a deleted file need no writeback), then sync so the
  // next command starts without writeback of this one.
  if (!spec.keepOutputs) for (const f of spec.outputs ?? []) fs.rmSync(f, {force: true})
  if (iso) fs.rmSync(iso, {recursive: true, force: true})
  spawnSync('sync')
  return {wall, rssMB: kb / 1024, status, ok, load1}
}

const imgdiffBin = path.join(imgdiffRoot, 'bin', 'run.js')
// Run as users run it: the file itself, so its #! line's node flags apply (bin/run.js).
const imgdiff = (...a) => [imgdiffBin, ...a]
const bash = (script) => ['bash', '-c', `set -o pipefail; ${script}`]
const peer = (name, spec) => (peers[name].path ? {...spec, peer: name} : {missing: name})
// dive --ci exits 1 when the image fails its efficiency rules (a verdict, not a failure of the tool):
// accept it when dive printed its result line.
const diveAccept = (status, f) => status === 0 || (status === 1 && /Result:\s*(PASS|FAIL|WARN)/.test(stripAnsi(readSafe(f))))
const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, '')
const readSafe = (f) => {
  try {
    return fs.readFileSync(f, 'utf8')
  } catch {
    return ''
  }
}

const [save, saveGz, exp, save2, step2] = ['big.save.tar', 'big.save.tar.gz', 'big.export.tar', 'big2.save.tar', 'step2.save.tar'].map(A)
const rb = out('rollback.tar')

// Every command, run `runs` times, interleaved (round 1: all commands, round 2: all, ...); each
// imgdiff command next to its peer or floor.
const commands = {}
const add = (job, name, spec) => {
  if (jobOn(job)) commands[name] = spec
}
add('diffExport', 'diffExport', {argv: imgdiff('diff', save, exp, '--json')})
add('diffExport', 'diffExportOpenssl', {argv: ['openssl', 'dgst', '-sha256', save, exp]})
add('diffExport', 'diffExportCat', {argv: bash(`cat ${q(save)} ${q(exp)} > /dev/null`)})
add('diffSaves', 'diffSaves', {argv: imgdiff('diff', step2, save, '--json')})
add('diffSaves', 'diffSavesContainerDiff', peer('container-diff', {argv: [peers['container-diff'].path, 'diff', step2, save, '--type=file', '--no-cache', '--json'], isolate: true, stdout: 'file'}))
add('inspect', 'inspect', {argv: imgdiff('inspect', save)})
add('inspect', 'inspectCi', {argv: imgdiff('inspect', save, '--ci')})
add('inspect', 'inspectDive', peer('dive', {argv: [peers.dive.path, '--ci', '--source', 'docker-archive', save], isolate: true, stdout: 'file', accept: diveAccept}))
add('flatten', 'flatten', {argv: imgdiff('flatten', save, '-o', out('flat.tar'), '--force'), outputs: [out('flat.tar')]})
add('flatten', 'flattenCrane', peer('crane', {argv: [peers.crane.path, 'export', '-', out('crane.tar')], stdin: save, isolate: true, outputs: [out('crane.tar')]}))
add('rollback', 'rollback', {argv: imgdiff('rollback', save, '--to', String(step), '-o', rb, '--force'), outputs: [rb], keepOutputs: true})
add('rollback', 'rollbackTee', {argv: bash(`tee ${q(out('tee.tar'))} < ${q(save)} | openssl dgst -sha256`), outputs: [out('tee.tar')]})
add('rollback', 'rollbackCat', {argv: bash(`cat ${q(save)} > ${q(out('cat.tar'))}`), outputs: [out('cat.tar')]})
add('gz', 'gz', {argv: imgdiff('diff', saveGz, exp, '--json')})
add('gz', 'gzFloor', {argv: bash(`zcat ${q(saveGz)} | openssl dgst -sha256`)})
add('flat', 'diffBig2', {argv: imgdiff('diff', save2, exp, '--json')})
add('flat', 'flattenBig2', {argv: imgdiff('flatten', save2, '-o', out('flat2.tar'), '--force'), outputs: [out('flat2.tar')]})
// The HTML report of the big pair, next to the diff of the same pair (the report is that diff, drawn).
const reportHtml = out('report.html')
add('report', 'report', {argv: imgdiff('report', save, exp, '-o', reportHtml, '--force'), outputs: [reportHtml], keepOutputs: true})
// The flatness and report rows compare with the big runs of the same commands.
if (jobOn('report') && !jobOn('diffExport')) commands.diffExport = {argv: imgdiff('diff', save, exp, '--json')}
if (jobOn('flat') && !jobOn('diffExport')) commands.diffExport = {argv: imgdiff('diff', save, exp, '--json')}
if (jobOn('flat') && !jobOn('flatten')) commands.flatten = {argv: imgdiff('flatten', save, '-o', out('flat.tar'), '--force'), outputs: [out('flat.tar')]}

const t0 = Date.now()
log('warm-up: cat each archive > /dev/null')
for (const f of [save, saveGz, exp, save2, step2]) sh(`cat ${q(f)} > /dev/null`)

const results = Object.fromEntries(Object.keys(commands).map((k) => [k, []]))
for (let round = 1; round <= runs; round++) {
  for (const [name, spec] of Object.entries(commands)) {
    if (spec.missing) continue
    const r = timed(name, spec)
    results[name].push(r)
    log(`round ${round}/${runs} ${name}: ${r.wall.toFixed(2)} s, ${r.rssMB.toFixed(0)} MB${r.status ? ` (exit ${r.status}${r.ok ? ', accepted' : ''})` : ''}`)
  }
}
const rbBytes = fs.existsSync(rb) ? fs.statSync(rb).size : 0
const reportBytes = fs.existsSync(reportHtml) ? fs.statSync(reportHtml).size : 0
const benchSeconds = (Date.now() - t0) / 1000

// ------------------------------------------------------------------ correctness (untimed)
const checks = {}
function jsonOf(args) {
  const r = spawnSync(args[0], args.slice(1), {cwd: root, maxBuffer: 1 << 30})
  if (r.status !== 0) throw new Error(`${args.join(' ')}: exit ${r.status}: ${r.stderr.toString().trim().split('\n').slice(-3).join(' | ')}`)
  return JSON.parse(r.stdout.toString())
}
const describe = (f) => `${f.change} ${f.path}${f.fields?.length ? ` (${f.fields.join(', ')})` : ''}`
if (check) {
  log('checking answers (untimed, --json)')
  // Issue 8: the save's layers, unpacked as Docker does, must give the export's files (parents
  // Docker made itself included); only the runtime files (/.dockerenv, /etc/hosts, ...) may differ.
  try {
    const d = jsonOf(imgdiff('diff', save, exp, '--json'))
    const s = d.summary
    const differing = (d.files ?? []).filter((f) => !f.runtime)
    checks.saveVsExport = {
      ok: s.added === 0 && s.removed === 0 && s.modified === 0,
      summary: s,
      exportMatch: d.exportMatch ? {step: d.exportMatch.step, differing: d.exportMatch.differing, derived: d.exportMatch.derived} : null,
      historyEntries: meta.historyEntries,
      firstDiffering: differing.slice(0, 10).map((f) => ({path: f.path, change: f.change, fields: f.fields, a: f.a, b: f.b})),
    }
  } catch (e) {
    checks.saveVsExport = {ok: false, error: e.message}
  }
  if (jobOn('gz')) {
    try {
      const d = jsonOf(imgdiff('diff', saveGz, exp, '--json'))
      const s = d.summary
      checks.gzVsExport = {ok: s.added + s.removed + s.modified === 0 && d.exportMatch?.differing === 0, summary: s, exportMatchStep: d.exportMatch?.step ?? null}
    } catch (e) {
      checks.gzVsExport = {ok: false, error: e.message}
    }
  }
  if (jobOn('rollback')) {
    try {
      const i = jsonOf(imgdiff('inspect', rb, '--json')).images[0]
      const last = i.steps[i.steps.length - 1]
      checks.rollback = {ok: i.steps.length === step && (last.createdBy ?? '').includes('chmod -R'), steps: i.steps.length, last: last.createdBy ?? '', bytes: rbBytes}
    } catch (e) {
      checks.rollback = {ok: false, error: e.message}
    }
  }
  if (jobOn('diffSaves')) {
    // Not a pass/fail: what each tool counted for step 2 vs final (container-diff also lists dirs).
    try {
      const d = jsonOf(imgdiff('diff', step2, save, '--json'))
      checks.saveVsSaveCounts = {imgdiff: {added: d.summary.added, removed: d.summary.removed, modified: d.summary.modified}}
      const cd = readSafe(out('diffSavesContainerDiff.stdout'))
      if (cd) {
        const j = JSON.parse(cd)[0]?.Diff ?? {}
        checks.saveVsSaveCounts.containerDiff = {added: j.Adds?.length ?? 0, removed: j.Dels?.length ?? 0, modified: j.Mods?.length ?? 0}
      }
    } catch (e) {
      checks.saveVsSaveCounts = {error: e.message}
    }
  }
}
if (fs.existsSync(out('inspectDive.stdout'))) {
  const m = stripAnsi(readSafe(out('inspectDive.stdout'))).match(/Result:\s*(\w+)/)
  checks.diveVerdict = m ? m[1] : null
}
fs.rmSync(tmp, {recursive: true, force: true})

// ------------------------------------------------------------------ table
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const n = s.length
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}
const stat = (k) => {
  const rs = results[k] ?? []
  return {
    medianWall: median(rs.map((r) => r.wall)),
    peakRssMB: Math.max(...rs.map((r) => r.rssMB)),
    failed: rs.some((r) => !r.ok),
    statuses: rs.map((r) => r.status),
    ran: rs.length > 0,
  }
}
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '—')
const f0 = (x) => (Number.isFinite(x) ? x.toFixed(0) : '—')
const gb = (n) => `${(n / 1e9).toFixed(2)} GB`

const rows = []
const jsonRows = []
/**
 * One row. imgdiff: command key; other: {key, label} of the peer/floor command, or {missing: name};
 * timeMax: the ratio target (imgdiff / other); rssMax: MB.
 */
function row(job, key, other, target, timeMax, rssMax) {
  const a = stat(key)
  const cells = {job, imgdiff: '', other: '', ratio: '', rss: '', otherRss: '', target, met: ''}
  const verdict = [] // [what, true|false|null(unknown)]
  cells.imgdiff = a.failed ? `${f2(a.medianWall)} (FAILED exit ${a.statuses.find((s) => s !== 0)})` : f2(a.medianWall)
  cells.rss = f0(a.peakRssMB)
  let ratio = null
  let b = null
  if (other?.missing) {
    cells.other = `${other.label}: ${NOT_BUILT}`
    cells.ratio = '—'
    verdict.push(['time', null, `${other.missing} not built`])
  } else if (other) {
    b = stat(other.key)
    const bFailed = b.failed ? ` (FAILED exit ${b.statuses.find((s, i) => !results[other.key][i].ok)})` : ''
    cells.other = `${f2(b.medianWall)} ${other.label}${bFailed}`
    cells.otherRss = f0(b.peakRssMB)
    ratio = a.medianWall / b.medianWall
    cells.ratio = `${f2(ratio)}x`
    if (timeMax != null) verdict.push(['time', b.failed ? null : ratio <= timeMax, b.failed ? `${other.label} failed` : null])
  }
  if (rssMax != null) verdict.push(['RSS', a.peakRssMB <= rssMax])
  if (a.failed) verdict.push(['imgdiff failed', false])
  const no = verdict.filter(([, v]) => v === false).map(([w]) => w)
  const unknown = verdict.filter(([, v]) => v === null).map(([, , why]) => why)
  cells.met = no.length ? `**no** (${no.join(', ')})` : unknown.length ? `n/a (${unknown.join('; ')})${verdict.some(([, v]) => v === true) ? '; RSS yes' : ''}` : target ? 'yes' : ''
  rows.push(cells)
  jsonRows.push({
    job,
    imgdiff: {command: key, ...a, runs: results[key]},
    other: other?.missing ? {tool: other.missing, label: other.label, notBuilt: true} : other ? {command: other.key, label: other.label, ...b, runs: results[other.key]} : null,
    ratio,
    target,
    met: no.length ? false : unknown.length ? null : target ? true : null,
  })
}
const peerOther = (key, label) => (commands[key]?.missing ? {missing: commands[key].missing, label} : {key, label})

if (jobOn('diffExport')) {
  row(`diff save vs export (${gb(meta.files['big.save.tar'].bytes)} vs ${gb(meta.files['big.export.tar'].bytes)})`, 'diffExport', {key: 'diffExportOpenssl', label: 'openssl dgst -sha256 of both'}, '≤1.0x, ≤300 MB', 1.0, 300)
  row('  (info: the same vs cat of both > /dev/null)', 'diffExport', {key: 'diffExportCat', label: 'cat of both'}, '', null, null)
}
if (jobOn('diffSaves')) {
  row(`diff save vs save (step 2 vs final, ${gb(meta.files['step2.save.tar'].bytes)} vs ${gb(meta.files['big.save.tar'].bytes)})`, 'diffSaves', peerOther('diffSavesContainerDiff', 'container-diff --type=file --no-cache'), '≤0.1x, ≤300 MB', 0.1, 300)
}
if (jobOn('inspect')) {
  row('inspect big.save.tar', 'inspect', peerOther('inspectDive', 'dive --ci'), '≤0.7x, ≤300 MB', 0.7, 300)
  // dive --ci computes efficiency, which needs every file's content hashed: the like-for-like job.
  row('  (info: inspect --ci, dive\'s rules too)', 'inspectCi', peerOther('inspectDive', 'dive --ci'), '', null, null)
}
if (jobOn('flatten')) row('flatten big.save.tar', 'flatten', peerOther('flattenCrane', 'crane export -'), '≤0.8x, ≤100 MB', 0.8, 100)
if (jobOn('rollback')) {
  row(`rollback to step ${step} (chmod; ${gb(rbBytes)} out)`, 'rollback', {key: 'rollbackTee', label: 'tee OUT | openssl (verified copy)'}, '≤1.2x, ≤300 MB', 1.2, 300)
  row('  (info: the same vs cat big.save.tar > OUT)', 'rollback', {key: 'rollbackCat', label: 'cat'}, '', null, null)
}
if (jobOn('report')) row(`report of the big pair (${reportBytes >= 1e6 ? `${(reportBytes / 1e6).toFixed(1)} MB` : `${(reportBytes / 1e3).toFixed(1)} kB`} of HTML)`, 'report', {key: 'diffExport', label: 'imgdiff diff --json of the pair'}, '≤2.0x', 2.0, null)
if (jobOn('gz')) row(`diff gzip'd save vs export (${gb(meta.files['big.save.tar.gz'].bytes)} .gz)`, 'gz', {key: 'gzFloor', label: 'zcat | openssl'}, '≤1.2x, ≤300 MB', 1.2, 300)
const bytesRatio = meta.files['big2.save.tar'].bytes / meta.files['big.save.tar'].bytes
const flatRows = []
if (jobOn('flat')) {
  for (const [job, k2, k1, rssMax] of [
    ['diff', 'diffBig2', 'diffExport', 300],
    ['flatten', 'flattenBig2', 'flatten', 100],
  ]) {
    const a2 = stat(k2)
    const a1 = stat(k1)
    const r = a2.peakRssMB / a1.peakRssMB
    const ok = r <= 1.1 && a2.peakRssMB <= rssMax && !a2.failed && !a1.failed
    const no = [r > 1.1 && 'not flat', a2.peakRssMB > rssMax && 'RSS', a2.failed && 'imgdiff failed'].filter(Boolean)
    rows.push({
      job: `memory flatness: ${job} big2 (${f2(bytesRatio)}x the bytes, same files) vs big`,
      imgdiff: `${f2(a2.medianWall)}${a2.failed ? ' (FAILED)' : ''}`,
      other: `${f2(a1.medianWall)} imgdiff on big`,
      ratio: `${f2(r)}x RSS`,
      rss: f0(a2.peakRssMB),
      otherRss: `${f0(a1.peakRssMB)} (big)`,
      target: `RSS ≤1.10x, ≤${rssMax} MB`,
      met: ok ? 'yes' : `**no** (${no.join(', ')})`,
    })
    const fr = {job: `memory flatness: ${job}`, big2: {command: k2, ...a2, runs: results[k2]}, big: {command: k1, ...a1}, bytesRatio, rssRatio: r, target: `RSS ≤1.10x, ≤${rssMax} MB`, met: ok}
    jsonRows.push(fr)
    flatRows.push(fr)
  }
}
if (check) {
  const c = checks.saveVsExport
  const s = c.summary
  rows.push({
    job: 'check: diff big.save.tar big.export.tar --json reports no file differences besides runtime files',
    imgdiff: s ? `+${s.added} −${s.removed} ~${s.modified} (${s.runtime} runtime)` : 'error',
    other: '',
    ratio: '',
    rss: '',
    otherRss: '',
    target: 'summary added = removed = modified = 0',
    met: c.ok ? 'PASS' : '**FAIL**',
  })
}

// ------------------------------------------------------------------ report
const cpu = (os.cpus()[0]?.model ?? 'unknown').trim()
const cores = os.cpus().length
const nproc = (() => {
  try {
    return Number(sh('nproc'))
  } catch {
    return os.availableParallelism?.() ?? cores
  }
})()
const date = new Date().toISOString()
const loads = Object.values(results).flat().map((r) => r.load1).filter(Number.isFinite)
const loadText = loads.length
  ? `Load (1-min average before each command): min ${Math.min(...loads).toFixed(1)}, median ${median(loads).toFixed(1)}, max ${Math.max(...loads).toFixed(1)} on ${nproc} cores${median(loads) > nproc ? ': the machine was busy with other work, times are noisy' : ''}.`
  : ''
const fmtPeers = Object.entries(peers)
  .map(([n, p]) => `${n} ${p.path ? p.version ?? '?' : NOT_BUILT}`)
  .join('; ')
const head = [
  `## imgdiff benchmark (${date})`,
  '',
  `Machine: ${cpu}, ${cores} cores (nproc ${nproc}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, node ${process.version}, ${os.type()} ${os.release()}`,
  `Archives (made ${meta.made}): big.save.tar ${gb(meta.files['big.save.tar'].bytes)} (${meta.files['big.save.tar'].regularFilesInLayers} files in layers), step2.save.tar ${gb(meta.files['step2.save.tar'].bytes)}, big.save.tar.gz ${gb(meta.files['big.save.tar.gz'].bytes)} (gzip -${meta.gzipLevel}), big.export.tar ${gb(meta.files['big.export.tar'].bytes)} (${meta.files['big.export.tar'].regularFiles} files), big2.save.tar ${gb(meta.files['big2.save.tar'].bytes)}; ${meta.historyEntries} history entries, rollback to step ${step}`,
  `imgdiff: ${imgdiffVersion}; ${build_.note}`,
  `Peers: ${fmtPeers}`,
  `Medians of ${runs} run(s), interleaved; peak RSS = highest of the runs; warm page cache; GNU time %e / %M; ratio = imgdiff / peer or floor.`,
  ...(loadText ? [loadText] : []),
  '',
]
const cols = ['job', 'imgdiff (median s)', 'peer or floor (median s)', 'ratio', 'imgdiff peak RSS (MB)', 'peer RSS (MB)', 'target', 'met?']
const keys = ['job', 'imgdiff', 'other', 'ratio', 'rss', 'otherRss', 'target', 'met']
const table = [
  `| ${cols.join(' | ')} |`,
  `|${cols.map((c, i) => (i === 0 || i === 2 || i >= 6 ? '---' : '---:')).join('|')}|`,
  ...rows.map((r) => `| ${keys.map((k) => String(r[k] ?? '').replaceAll('|', '\\|')).join(' | ')} |`),
]
const tail = []
if (check) {
  tail.push('', 'Answers:')
  const c = checks.saveVsExport
  if (c.error) tail.push(`- save vs export: ERROR ${c.error}`)
  else {
    tail.push(`- save vs export: ${c.ok ? 'PASS' : 'FAIL'}: files +${c.summary.added} −${c.summary.removed} ~${c.summary.modified}, ${c.summary.runtime} runtime; export matches step ${c.exportMatch?.step} of ${c.historyEntries} with ${c.exportMatch?.differing} differing`)
    if (c.firstDiffering.length) tail.push(`  first differing paths: ${c.firstDiffering.map((f) => `\`${describe(f)}\``).join(', ')}`)
  }
  if (checks.gzVsExport) tail.push(`- gzip'd save vs export: ${checks.gzVsExport.error ? `ERROR ${checks.gzVsExport.error}` : `${checks.gzVsExport.ok ? 'OK' : 'WRONG'} (export matches step ${checks.gzVsExport.exportMatchStep})`}`)
  if (checks.rollback) tail.push(`- rollback --to ${step}: ${checks.rollback.error ? `ERROR ${checks.rollback.error}` : `${checks.rollback.ok ? 'OK' : 'WRONG'}: ${checks.rollback.steps} steps, last "${checks.rollback.last.slice(-30)}"`}`)
  if (checks.saveVsSaveCounts) {
    const c2 = checks.saveVsSaveCounts
    const fmt = (x) => `+${x.added} −${x.removed} ~${x.modified}`
    tail.push(`- step 2 vs final, files as counted (added −removed ~modified): imgdiff ${c2.imgdiff ? fmt(c2.imgdiff) : c2.error}${c2.containerDiff ? `; container-diff ${fmt(c2.containerDiff)}` : ''}`)
  }
}
if (checks.diveVerdict) tail.push(`- dive --ci's own verdict on the image (its efficiency rules, exit 1 on FAIL, accepted): ${checks.diveVerdict}`)
tail.push(`- diffoci: ${peers.diffoci.path ? 'built but' : NOT_BUILT + ';'} not timed: it reads images from a registry, containerd or a Docker daemon, not from archive files`)
if (failures.length) {
  tail.push('', 'Failures:')
  const seen = new Set()
  for (const f of failures) {
    const key = `${f.name}|${f.status}|${f.stderr}`
    if (seen.has(key)) continue
    seen.add(key)
    tail.push(`- ${f.name}: exit ${f.status}${f.timedOut ? ` (timed out after ${TIMEOUT_S} s)` : ''}: \`${f.cmd}\``, '  ```', ...f.stderr.split('\n').map((l) => `  ${l}`), '  ```')
  }
}
tail.push('', `Bench run: ${(benchSeconds / 60).toFixed(1)} min of timed rounds (plus checks).`)
const text = [...head, ...table, ...tail].join('\n') + '\n'
fs.writeFileSync(A('latest.md'), text)
const json = {
  date,
  machine: {cpuModel: cpu, cores, nproc, memGiB: os.totalmem() / 2 ** 30, node: process.version, os: `${os.type()} ${os.release()}`},
  imgdiff: {version: imgdiffVersion, build: build_, ran: imgdiffBin},
  peers,
  archives: meta,
  runs,
  rollbackStep: step,
  rollbackOutputBytes: rbBytes,
  reportBytes,
  benchSeconds,
  load1: {min: Math.min(...loads), median: median(loads), max: Math.max(...loads)},
  commands: Object.fromEntries(
    Object.entries(commands).map(([k, spec]) => [
      k,
      spec.missing ? {notBuilt: spec.missing} : {argv: spec.argv, stdin: spec.stdin ?? null, ...stat(k), runs: results[k]},
    ]),
  ),
  rows: jsonRows,
  checks,
  failures,
  markdown: text,
}
fs.writeFileSync(A('latest.json'), JSON.stringify(json, null, 2) + '\n')
process.stdout.write(text)
const imgdiffFailed = failures.some((f) => !commands[f.name]?.peer && !/Cat$|Tee$|Openssl$|Floor$/.test(f.name))
process.exit(imgdiffFailed || (check && !checks.saveVsExport.ok) ? 1 : 0)
