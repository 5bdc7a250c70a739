/**
 * src/write/unpack-check.ts: whether Docker can unpack a rollback's kept layers, found from their
 * bytes as they are copied, in pieces and in whatever order the copy meets them. Judged by what a
 * real Docker engine did with each engine-made case of fixtures/fidelity (docker-says.json: loaded,
 * or refused and why); the layer bytes come from the archives through support.ts's own tar reader.
 */
import {describe, expect, it} from 'vitest'
import {UnpackCheck} from '../../src/write/unpack-check.js'
import {fixture, readJson, readSave} from './support.js'

interface Answer {
  loads: boolean
  error?: string
}

const cases = readJson<{cases: Record<string, Answer>}>(fixture('fidelity/docker-says.json')).cases

/** Docker's reason, as its error gives it: what the unpacking process printed, or tar-split's complaint. */
function reasonOf(error: string): string {
  const printed = /stderr: (.+)$/.exec(error)?.[1]?.trim()
  return printed || error.replace(/^ApplyLayer /, '').replace(/ stdout:.*$/, '')
}

/** Feed the layers' members to a check in `order`, each in pieces of `piece` bytes. */
function checked(file: string, order: 'layers' | 'reversed', piece: number): UnpackCheck {
  const {manifest, member} = readSave(file)
  const layers = manifest[0].Layers
  const check = new UnpackCheck(layers, file)
  const members = [...new Set(layers)]
  for (const name of order === 'layers' ? members : members.reverse()) {
    const bytes = member(name)
    const watcher = check.watch(name)
    for (let at = 0; at < bytes.length; at += piece) watcher.push(bytes.subarray(at, at + piece))
    watcher.end()
  }
  return check
}

describe('UnpackCheck refuses what docker load refused, from the layer bytes in pieces, in any order', () => {
  expect(Object.values(cases).filter((c) => !c.loads).length).toBeGreaterThan(5)
  for (const [name, answer] of Object.entries(cases)) {
    it(`${name}: ${answer.loads ? 'loads' : `refused (${reasonOf(answer.error!)})`}`, () => {
      const file = fixture(`fidelity/cases/${name}.save.tar`)
      for (const [order, piece] of [['layers', 4096], ['reversed', 700]] as const) {
        const check = checked(file, order, piece)
        if (answer.loads) expect(() => check.check(), `${order}, pieces of ${piece}`).not.toThrow()
        else expect(() => check.check(), `${order}, pieces of ${piece}`).toThrow(`(${reasonOf(answer.error!)}), so docker load refuses this image`)
      }
    })
  }
})

describe('UnpackCheck says what a read of the headers would have said', () => {
  it('a layer that is no tar, before any refusal, naming its place', () => {
    const file = fixture('fidelity/cases/tar-duplicate.save.tar')
    const {manifest, member} = readSave(file)
    const layers = [...manifest[0].Layers, 'junk/layer.tar']
    const check = new UnpackCheck(layers, file)
    const junk = check.watch('junk/layer.tar')
    junk.push(Buffer.alloc(1024, 0x41))
    junk.end()
    for (const name of manifest[0].Layers) {
      const w = check.watch(name)
      w.push(member(name))
      w.end()
    }
    expect(() => check.check()).toThrow(`layer ${layers.length} 'junk/layer.tar' is not a tar (nor a compressed tar)`)
  })

  it('a tar cut short is unreadable, not refused', () => {
    const file = fixture('busybox-1.save.tar')
    const {manifest, member} = readSave(file)
    const [first] = manifest[0].Layers
    const check = new UnpackCheck([first], file)
    const w = check.watch(first)
    w.push(member(first).subarray(0, 10_000))
    w.end()
    expect(() => check.check()).toThrow(`layer 1 '${first}' cannot be read: unexpected end of data`)
  })

  it('a kept layer never copied is an error, not a pass', () => {
    const file = fixture('busybox-1.save.tar')
    const {manifest} = readSave(file)
    const check = new UnpackCheck(manifest[0].Layers, file)
    expect(() => check.check()).toThrow(`layer 1 ('${manifest[0].Layers[0]}') was not checked as it was copied`)
  })
})
