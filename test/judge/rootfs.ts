/**
 * Do two root-filesystem tars hold the same files? Answered by the independent judge
 * (test/judge/list_tar.py: Python's tarfile, no code shared with src/), never by imgdiff's own diff,
 * so a bug in imgdiff's reader cannot hide the same bug in its writer.
 *
 * Every field the judge lists is compared (type, mode and type bits, uid, gid, size, sha256, link
 * target, device numbers, xattrs, hard-link group, mtime) except where two `docker export`s of
 * the same files legitimately differ. Found by listing the exports of the engine suite (Docker
 * 20.10, vfs) with no exception at all: the only differences were the entries the engine writes
 * when it creates a container (`docker create`, its "init layer"), stamped with that moment:
 *   .dockerenv, etc/hostname, etc/hosts, etc/resolv.conf, dev/console (empty files, bind-mounted
 *   over when a container starts), etc/mtab (a symlink to /proc/mounts), and the mount points
 *   proc, sys, dev, dev/pts, dev/shm;
 * and the directories it makes them in, etc and dev (the judge lists no entry for / itself).
 * So those entries are compared without their mtime, and may be missing from a tar that is not a
 * container's export (imgdiff's flatten writes none of them); those directories are compared
 * without their mtime. Nothing else is excused: every other directory, file and link, mtime
 * included, came out of the same layer tars on both sides. (A VOLUME's mount point is made only
 * when a container starts, and the suite never starts one, so none appears.)
 */
import path from 'node:path'
import {judgeListing, type JudgeEntry} from '../helpers/judge.js'

/** What `docker create` writes into every container, whatever the image holds. */
const RUNTIME = new Set(['.dockerenv', 'etc/hostname', 'etc/hosts', 'etc/resolv.conf', 'etc/mtab', 'proc', 'sys', 'dev', 'dev/pts', 'dev/shm', 'dev/console'])
/** The directories the runtime entries are made in: creating them sets their mtime. */
const RUNTIME_PARENTS = new Set([...RUNTIME].map((p) => path.posix.dirname(p)).filter((d) => d !== '.'))

/** One tar to compare, and whether it is a container's `docker export` (so has runtime entries). */
export interface RootfsTar {
  /** who made it, for the failure message */
  label: string
  tar: string
  container: boolean
}

export interface Difference {
  path: string
  /** the fields that differ, or `only in A` / `only in B` */
  what: string[]
  a?: JudgeEntry
  b?: JudgeEntry
}

function withoutMtime(e: JudgeEntry): Omit<JudgeEntry, 'mtime'> {
  const {mtime: _mtime, ...rest} = e
  return rest
}

/** The names of the fields in which two entries differ. */
function differingFields(a: object, b: object): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)])
  return [...keys].filter((k) => JSON.stringify((a as Record<string, unknown>)[k]) !== JSON.stringify((b as Record<string, unknown>)[k])).sort()
}

/** Entry-by-entry differences between two listings, with the runtime exceptions described above. */
export function listingDifferences(a: {entries: JudgeEntry[]; container: boolean}, b: {entries: JudgeEntry[]; container: boolean}): Difference[] {
  const A = new Map(a.entries.map((e) => [e.path, e]))
  const B = new Map(b.entries.map((e) => [e.path, e]))
  const out: Difference[] = []
  for (const p of [...new Set([...A.keys(), ...B.keys()])].sort()) {
    const ea = A.get(p)
    const eb = B.get(p)
    if (!ea || !eb) {
      // A runtime entry is missing only from a tar that is no container's export.
      const missingSide = ea ? b : a
      if (RUNTIME.has(p) && !missingSide.container) continue
      out.push({path: p, what: [ea ? 'only in A' : 'only in B'], a: ea, b: eb})
      continue
    }
    const timeless = RUNTIME.has(p) || (RUNTIME_PARENTS.has(p) && ea.type === 'dir' && eb.type === 'dir')
    const what = timeless ? differingFields(withoutMtime(ea), withoutMtime(eb)) : differingFields(ea, eb)
    if (what.length > 0) out.push({path: p, what, a: ea, b: eb})
  }
  return out
}

/** An entry on one line, mode in octal and mtime as a date. */
function show(e: JudgeEntry): string {
  const {path: _path, mode, mtime, ...rest} = e
  return JSON.stringify({mode: mode.toString(8).padStart(4, '0'), mtime: new Date(mtime * 1000).toISOString(), ...rest})
}

/** The first `limit` differences, each with both sides, for a failure message. */
export function report(diffs: Difference[], a: RootfsTar, b: RootfsTar, limit = 15): string {
  const lines = [`${diffs.length} path(s) differ between A = ${a.label} (${a.tar}) and B = ${b.label} (${b.tar}); the first ${Math.min(limit, diffs.length)}:`]
  for (const d of diffs.slice(0, limit)) {
    lines.push(`  /${d.path}: ${d.what.join(', ')}`)
    lines.push(`    A: ${d.a ? show(d.a) : '(absent)'}`)
    lines.push(`    B: ${d.b ? show(d.b) : '(absent)'}`)
  }
  return lines.join('\n')
}

/** List both tars with the judge (one Python run per tar, both at once); their differences and a readable report. */
export async function compareRootfs(a: RootfsTar, b: RootfsTar): Promise<{diffs: Difference[]; report: string}> {
  const [la, lb] = await Promise.all([judgeListing(a.tar), judgeListing(b.tar)])
  const diffs = listingDifferences({entries: la, container: a.container}, {entries: lb, container: b.container})
  return {diffs, report: report(diffs, a, b)}
}
