/**
 * src/archive/tar-file.ts's walks by seeking. walkWithPauses lets the event loop run while it
 * walks (an export's tens of thousands of headers must not hold up the other archive of a diff),
 * so two such walks can run at once: each must still see its own archive, every member in order.
 * Judged by GNU tar's listing of the same files.
 */
import {execFileSync} from 'node:child_process'
import {closeSync, openSync, statSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {walkTarFile, walkWithPauses} from '../../src/archive/tar-file.js'
import {TarReader, type TarVisitor} from '../../src/archive/tar-reader.js'
import {fixture} from './support.js'

/** What GNU tar lists: every member's name as stored. */
function tarList(file: string): string[] {
  return execFileSync('tar', ['--list', '--file', file], {encoding: 'utf8', maxBuffer: 64 << 20})
    .split('\n')
    .filter((l) => l !== '')
}

function recorder(): {visitor: TarVisitor; names: string[]} {
  const names: string[] = []
  return {names, visitor: {header: (m) => names.push(m.name), body: () => {}, end: () => {}}}
}

async function walkPausing(file: string, readsBetween: number): Promise<string[]> {
  const fd = openSync(file, 'r')
  try {
    const {visitor, names} = recorder()
    await walkWithPauses(new TarReader(visitor, {skipBodies: true}), fd, 0, statSync(file).size, readsBetween)
    return names
  } finally {
    closeSync(fd)
  }
}

const exportTar = fixture('multistep.export.tar')
const saveTar = fixture('multistep.save.tar')

describe('walking a tar file by seeking', () => {
  it('without pauses: every member, as GNU tar lists them', () => {
    const fd = openSync(exportTar, 'r')
    try {
      const {visitor, names} = recorder()
      walkTarFile(fd, 0, statSync(exportTar).size, visitor)
      expect(names.length).toBeGreaterThan(50)
      expect(names).toEqual(tarList(exportTar))
    } finally {
      closeSync(fd)
    }
  })

  it('with pauses: the same members, and the event loop runs in between', async () => {
    let immediates = 0
    const count = () => {
      immediates++
      if (immediates < 1000) setImmediate(count)
    }
    setImmediate(count)
    expect(await walkPausing(exportTar, 1)).toEqual(tarList(exportTar))
    // A walk that never paused would end before any of these ran: one runs at each pause.
    expect(immediates).toBeGreaterThan(1)
  })

  it('two walks with pauses at once each see their own archive (each reads into its own buffer)', async () => {
    const [a, b] = await Promise.all([walkPausing(exportTar, 1), walkPausing(saveTar, 1)])
    expect(a).toEqual(tarList(exportTar))
    expect(b).toEqual(tarList(saveTar))
  })
})
