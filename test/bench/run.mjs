#!/usr/bin/env node
// imgdiff benchmark: wall time and peak RSS of imgdiff on big real Docker archives, next to the
// floor (openssl sha256 / cat / zcat) measured side by side in the same run.
//
//   node test/bench/run.mjs [--runs N] [--no-build] [--no-check]
//
// Archives come from test/bench/make-archives.sh (run here when any is missing) into
// test/bench/.cache/. Every command is run N times (default 3), interleaved round by round, under
// GNU time (`/usr/bin/time -f "%e %M"`); the table shows medians. Caches cannot be dropped here, so
// each archive is read once (cat > /dev/null) before timing and every command reads from page cache.
// The table is printed and written to test/bench/.cache/latest.md.
import {spawnSync, execSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '../..')
const cache = path.join(here, '.cache')
const TIME = '/usr/bin/time'

// ------------------------------------------------------------------ arguments
const argv = process.argv.slice(2)
let runs = 3
let build = true
let check = true
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]
  if (a === '--runs') runs = Number(argv[++i])
  else if (a.startsWith('--runs=')) runs = Number(a.slice(7))
  else if (a === '--no-build') build = false
  else if (a === '--no-check') check = false
  else if (a === '-h' || a === '--help') {
    console.log('usage: node test/bench/run.mjs [--runs N] [--no-build] [--no-check]')
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

const log = (m) => process.stderr.write(`== [${new Date().toTimeString().slice(0, 8)}] ${m}\n`)
const sh = (cmd) => execSync(cmd, {encoding: 'utf8', cwd: root}).trim()

// ------------------------------------------------------------------ archives + build
const A = (f) => path.join(cache, f)
const needed = ['big.save.tar', 'big.save.tar.gz', 'big.export.tar', 'big2.save.tar', 'meta.json']
if (needed.some((f) => !fs.existsSync(A(f)) || fs.statSync(A(f)).size === 0)) {
  log('archives missing: running make-archives.sh')
  const r = spawnSync('bash', [path.join(here, 'make-archives.sh')], {stdio: 'inherit', cwd: root})
  if (r.status !== 0) {
    console.error(`make-archives.sh failed (exit ${r.status})`)
    process.exit(2)
  }
}
const meta = JSON.parse(fs.readFileSync(A('meta.json'), 'utf8'))
const step = meta.rollbackStepImgdiffInspect ?? meta.rollbackStep
let buildNote = build ? 'built with npx tsc -p .' : 'dist/ as found (--no-build)'
if (build) {
  log('building imgdiff (npx tsc -p .)')
  const r = spawnSync('npx', ['tsc', '-p', '.'], {stdio: 'inherit', cwd: root})
  // tsc still emits on type errors; go on with what dist/ holds and say so in the table's head.
  if (r.status !== 0) buildNote = 'npx tsc -p . reported errors (dist/ emitted anyway)'
}

// ------------------------------------------------------------------ measuring
const tmp = fs.mkdtempSync(path.join(cache, 'run-'))
const timeFile = path.join(tmp, 'time.txt')
const failures = []

/** Run argv under GNU time; stdout goes to /dev/null. Returns {wall, rssMB, status, stderr}. */
function timed(name, args) {
  const devnull = fs.openSync('/dev/null', 'w')
  const r = spawnSync(TIME, ['-f', '%e %M', '-o', timeFile, ...args], {
    cwd: root,
    stdio: ['ignore', devnull, 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  })
  fs.closeSync(devnull)
  const lines = fs.readFileSync(timeFile, 'utf8').trim().split('\n')
  const [wall, kb] = lines[lines.length - 1].split(/\s+/).map(Number)
  const stderr = r.stderr.toString()
  if (r.status !== 0) {
    failures.push({name, cmd: args.join(' '), status: r.status, stderr: stderr.trim().split('\n').slice(-5).join('\n')})
  }
  return {wall, rssMB: kb / 1024, status: r.status}
}

const imgdiff = (...a) => ['node', 'bin/run.js', ...a]
const rb = path.join(tmp, 'rb.tar')
const rb2 = path.join(tmp, 'rb2.tar')
const q = (s) => `'${s.replaceAll("'", "'\\''")}'`

// Every command, run `runs` times, interleaved (round 1: all commands, round 2: all, ...).
const commands = {
  diff: imgdiff(A('big.save.tar'), A('big.export.tar')),
  diffOpenssl: ['openssl', 'dgst', '-sha256', A('big.save.tar'), A('big.export.tar')],
  diffCat: ['bash', '-c', `cat ${q(A('big.save.tar'))} ${q(A('big.export.tar'))} > /dev/null`],
  gz: imgdiff(A('big.save.tar.gz'), A('big.export.tar')),
  gzFloor: ['bash', '-c', `zcat ${q(A('big.save.tar.gz'))} | openssl dgst -sha256`],
  rollback: imgdiff('rollback', A('big.save.tar'), '--to', String(step), '-o', rb, '--force'),
  rollbackCat: ['bash', '-c', `cat ${q(rb)} > ${q(rb2)}`],
  inspect: imgdiff('inspect', A('big.save.tar')),
  tree: imgdiff('tree', A('big.save.tar')),
  diffBig2: imgdiff(A('big2.save.tar'), A('big.export.tar')),
}

log('warm-up: cat each archive > /dev/null')
for (const f of ['big.save.tar', 'big.save.tar.gz', 'big.export.tar', 'big2.save.tar']) sh(`cat ${q(A(f))} > /dev/null`)

const results = Object.fromEntries(Object.keys(commands).map((k) => [k, []]))
for (let round = 1; round <= runs; round++) {
  for (const [name, args] of Object.entries(commands)) {
    if (name === 'rollbackCat') fs.rmSync(rb2, {force: true})
    const r = timed(name, args)
    results[name].push(r)
    log(`round ${round}/${runs} ${name}: ${r.wall.toFixed(2)} s, ${r.rssMB.toFixed(0)} MB${r.status ? ` (exit ${r.status})` : ''}`)
  }
}
const rbBytes = fs.existsSync(rb) ? fs.statSync(rb).size : 0

// ------------------------------------------------------------------ correctness (untimed)
const checks = []
function jsonOf(args) {
  const r = spawnSync(args[0], args.slice(1), {cwd: root, maxBuffer: 1 << 30})
  if (r.status !== 0) throw new Error(`${args.join(' ')}: exit ${r.status}: ${r.stderr.toString().trim().split('\n').slice(-3).join(' | ')}`)
  return JSON.parse(r.stdout.toString())
}
if (check) {
  log('checking answers (untimed, --json)')
  try {
    const d = jsonOf(imgdiff(A('big.save.tar'), A('big.export.tar'), '--json'))
    const m = d.exportMatch
    const ok = m && m.differing === 0 && m.step === meta.historyEntries && d.summary.added + d.summary.removed + d.summary.modified === 0
    checks.push(`diff save vs export: export matches step ${m?.step} of ${meta.historyEntries} with ${m?.differing} differing; files +${d.summary.added} -${d.summary.removed} ~${d.summary.modified}, ${d.summary.runtime} runtime: ${ok ? 'OK' : 'WRONG'}`)
  } catch (e) {
    checks.push(`diff save vs export: FAILED ${e.message}`)
  }
  try {
    const d = jsonOf(imgdiff(A('big.save.tar.gz'), A('big.export.tar'), '--json'))
    const ok = d.exportMatch?.differing === 0 && d.exportMatch?.step === meta.historyEntries
    checks.push(`diff save.gz vs export: export matches step ${d.exportMatch?.step}: ${ok ? 'OK' : 'WRONG'}`)
  } catch (e) {
    checks.push(`diff save.gz vs export: FAILED ${e.message}`)
  }
  try {
    const i = jsonOf(imgdiff('inspect', rb, '--json')).images[0]
    const last = i.steps[i.steps.length - 1]
    const ok = i.steps.length === step && (last.createdBy ?? '').includes('chmod -R')
    checks.push(`rollback --to ${step}: output has ${i.steps.length} steps, last "${(last.createdBy ?? '').slice(-30)}", ${(rbBytes / 1e9).toFixed(2)} GB: ${ok ? 'OK' : 'WRONG'}`)
  } catch (e) {
    checks.push(`rollback output inspect: FAILED ${e.message}`)
  }
}
fs.rmSync(tmp, {recursive: true, force: true})

// ------------------------------------------------------------------ table
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const n = s.length
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
}
const W = (k) => median(results[k].map((r) => r.wall))
const M = (k) => median(results[k].map((r) => r.rssMB))
const f2 = (x) => x.toFixed(2)
const f0 = (x) => x.toFixed(0)
const yes = (b) => (b ? 'yes' : '**no**')
const failed = (k) => results[k].some((r) => r.status !== 0)
const mark = (k, s) => (failed(k) ? `${s} (FAILED)` : s)

const rows = []
{
  const r = W('diff') / W('diffOpenssl')
  rows.push([mark('diff', 'diff big.save.tar big.export.tar'), f2(W('diff')), `${f2(W('diffOpenssl'))} openssl`, `${f2(r)}x`, f0(M('diff')), '≤1.0x openssl, ≤300 MB', yes(r <= 1.0 && M('diff') <= 300 && !failed('diff'))])
  rows.push(['  (floor: cat of the same two files)', '', `${f2(W('diffCat'))} cat`, `${f2(W('diff') / W('diffCat'))}x`, '', 'info', ''])
}
{
  const r = W('gz') / W('gzFloor')
  rows.push([mark('gz', 'diff big.save.tar.gz big.export.tar'), f2(W('gz')), `${f2(W('gzFloor'))} zcat+openssl`, `${f2(r)}x`, f0(M('gz')), '≤1.2x, ≤300 MB', yes(r <= 1.2 && M('gz') <= 300 && !failed('gz'))])
}
{
  const r = W('rollback') / W('rollbackCat')
  rows.push([mark('rollback', `rollback big.save.tar --to ${step} (${(rbBytes / 1e9).toFixed(2)} GB out)`), f2(W('rollback')), `${f2(W('rollbackCat'))} cat`, `${f2(r)}x`, f0(M('rollback')), '≤1.5x cat, ≤300 MB', yes(r <= 1.5 && M('rollback') <= 300 && !failed('rollback'))])
}
rows.push([mark('inspect', 'inspect big.save.tar'), f2(W('inspect')), '', '', f0(M('inspect')), '≤300 MB', yes(M('inspect') <= 300 && !failed('inspect'))])
rows.push([mark('tree', 'tree big.save.tar'), f2(W('tree')), '', '', f0(M('tree')), '≤300 MB', yes(M('tree') <= 300 && !failed('tree'))])
{
  const r = M('diffBig2') / M('diff')
  const bytesRatio = meta.files['big2.save.tar'].bytes / meta.files['big.save.tar'].bytes
  rows.push([mark('diffBig2', `RSS: diff big2.save.tar big.export.tar vs big (save ${f2(bytesRatio)}x bytes, same files)`), f2(W('diffBig2')), '', `${f2(r)}x RSS`, `${f0(M('diffBig2'))} vs ${f0(M('diff'))}`, 'RSS big2/big ≤1.10', yes(r <= 1.1 && !failed('diffBig2'))])
}

function gitState() {
  try {
    const head = sh('git rev-parse --short HEAD')
    const dirty = sh('git status --porcelain -- src package.json').split('\n').filter(Boolean).length
    return `git ${head}${dirty ? ` + ${dirty} uncommitted change(s) in src/ or package.json` : ' (clean src/)'}`
  } catch {
    return 'git state unknown'
  }
}
const cpu = (os.cpus()[0]?.model ?? 'unknown').trim()
const gb = (n) => `${(n / 1e9).toFixed(2)} GB`
const head = [
  `## imgdiff benchmark (${new Date().toISOString()})`,
  '',
  `Machine: nproc ${sh('nproc')}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${cpu}, node ${process.version}, ${os.type()} ${os.release()}`,
  `Archives: big.save.tar ${gb(meta.files['big.save.tar'].bytes)}, big.save.tar.gz ${gb(meta.files['big.save.tar.gz'].bytes)} (gzip -${meta.gzipLevel}), big.export.tar ${gb(meta.files['big.export.tar'].bytes)} (${meta.files['big.export.tar'].regularFiles} files), big2.save.tar ${gb(meta.files['big2.save.tar'].bytes)}; ${meta.historyEntries} history entries, rollback to step ${step}`,
  `Source: ${gitState()}; ${buildNote}`,
  `Medians of ${runs} run(s), interleaved; warm page cache (one cat > /dev/null of each archive first); GNU time %e / %M.`,
  '',
]
const cols = ['measurement', 'imgdiff wall s', 'floor wall s', 'ratio', 'imgdiff peak RSS MB', 'target', 'holds?']
const table = [
  `| ${cols.join(' | ')} |`,
  `|${cols.map((c, i) => (i === 0 || i >= 5 ? '---' : '---:')).join('|')}|`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
]
const tail = []
if (checks.length) tail.push('', 'Answers:', ...checks.map((c) => `- ${c}`))
if (failures.length) {
  tail.push('', 'Failures:')
  const seen = new Set()
  for (const f of failures) {
    const key = `${f.name}|${f.status}|${f.stderr}`
    if (seen.has(key)) continue
    seen.add(key)
    tail.push(`- ${f.name}: exit ${f.status}: \`${f.cmd}\``, '  ```', ...f.stderr.split('\n').map((l) => `  ${l}`), '  ```')
  }
}
const out = [...head, ...table, ...tail].join('\n') + '\n'
fs.writeFileSync(A('latest.md'), out)
process.stdout.write(out)
process.exit(failures.length ? 1 : 0)
