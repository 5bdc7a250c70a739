/**
 * The engine suite's filesystem verdicts come from test/judge/rootfs.ts: its exceptions for the
 * entries `docker create` writes must excuse only those entries' mtimes (and their absence from a
 * tar that is no container's export), never a real difference.
 */
import {describe, expect, it} from 'vitest'
import type {JudgeEntry} from '../helpers/judge.js'
import {listingDifferences} from './rootfs.js'

const T0 = 1_600_000_000
const dir = (p: string, mtime = T0): JudgeEntry => ({path: p, type: 'dir', mode: 0o755, typebits: '0o40000', uid: 0, gid: 0, mtime})
const file = (p: string, mtime = T0, sha256 = 'aa'): JudgeEntry => ({path: p, type: 'file', mode: 0o644, typebits: '0o100000', uid: 0, gid: 0, mtime, size: 1, sha256})

const image = [dir('app'), file('app/a.txt'), dir('etc'), file('etc/passwd')]
/** What the engine adds at `docker create`, at time `t`. */
const runtimeAt = (t: number) => [file('.dockerenv', t, 'e3'), dir('dev', t), dir('proc', t), dir('sys', t), file('etc/hostname', t, 'e3')]
/** A container export made at time `t`: etc's mtime is then `t` too. */
const exportAt = (t: number, files = image) => [...files.map((e) => (e.path === 'etc' ? {...e, mtime: t} : e)), ...runtimeAt(t)]

describe('the judge comparison of two root filesystems', () => {
  it('two exports of the same files made at different times are the same', () => {
    expect(listingDifferences({entries: exportAt(T0 + 5), container: true}, {entries: exportAt(T0 + 9), container: true})).toEqual([])
  })

  it('a flatten (no runtime entries, image mtimes) equals an export of the same files', () => {
    expect(listingDifferences({entries: image, container: false}, {entries: exportAt(T0 + 9), container: true})).toEqual([])
  })

  it('a runtime entry missing from a container export is a difference', () => {
    const a = exportAt(T0 + 5).filter((e) => e.path !== '.dockerenv')
    expect(listingDifferences({entries: a, container: true}, {entries: exportAt(T0 + 9), container: true}).map((d) => [d.path, d.what])).toEqual([['.dockerenv', ['only in B']]])
  })

  it('a runtime entry is still compared in everything but its mtime', () => {
    const a = exportAt(T0).map((e) => (e.path === 'etc/hostname' ? {...e, sha256: 'bb'} : e))
    expect(listingDifferences({entries: a, container: true}, {entries: exportAt(T0), container: true}).map((d) => [d.path, d.what])).toEqual([['etc/hostname', ['sha256']]])
  })

  it('every other mtime, mode, content or presence counts', () => {
    const a = exportAt(T0, [dir('app', T0 + 1), file('app/a.txt', T0, 'cc'), dir('etc'), file('etc/passwd'), file('etc/extra')])
    const b = exportAt(T0, [dir('app'), {...file('app/a.txt'), mode: 0o600}, dir('etc'), file('etc/passwd')])
    expect(listingDifferences({entries: a, container: true}, {entries: b, container: true}).map((d) => [d.path, d.what])).toEqual([
      ['app', ['mtime']],
      ['app/a.txt', ['mode', 'sha256']],
      ['etc/extra', ['only in A']],
    ])
  })
})
