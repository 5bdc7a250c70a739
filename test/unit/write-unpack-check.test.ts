/**
 * src/write/unpack-check.ts: whether Docker can unpack a rollback's kept layers, found from their
 * bytes as they are copied, in pieces and in whatever order the copy meets them. Judged by what a
 * real Docker engine did with each engine-made case of fixtures/fidelity (docker-says.json: loaded,
 * or refused and why); the layer bytes come from the archives through support.ts's own tar reader.
 */
import {describe, expect, it} from 'vitest'
import {UnpackCheck} from '../../src/write/unpack-check.js'
import {fixture, packTar, readJson, readSave} from './support.js'

interface Answer {
  loads: boolean
  error?: string
}

const cases = readJson<{cases: Record<string, Answer>}>(fixture('fidelity/docker-says.json')).cases

/** Docker's reason, as its error gives it: what the unpacking process printed, or tar-split's complaint. */
function reasonOf(error: string): string {
  const printed = /stderr: (.+)$/.exec(error)?.[1]?.trim()
  // Docker's temporary directories end in random digits: imgdiff says `...` there.
  return (printed || error.replace(/^ApplyLayer /, '').replace(/ stdout:.*$/, '')).replace(/(temp-docker-extract|dockerplnk)\d+/g, '$1...')
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
      // Pieces shorter than a tar header too: the first one is then no proof of anything.
      for (const [order, piece] of [['layers', 4096], ['reversed', 700], ['layers', 100]] as const) {
        const check = checked(file, order, piece)
        if (answer.loads) expect(() => check.check(), `${order}, pieces of ${piece}`).not.toThrow()
        else expect(() => check.check(), `${order}, pieces of ${piece}`).toThrow(`(${reasonOf(answer.error!)}), so docker load refuses this image`)
      }
    })
  }
})

describe('UnpackCheck says what a read of the headers would have said', () => {
  it('the first layer that is no tar, before any refusal, naming its place, whatever the order of the copy', () => {
    const file = fixture('fidelity/cases/tar-duplicate.save.tar')
    const {manifest, member} = readSave(file)
    const layers = [...manifest[0].Layers, 'junk1/layer.tar', 'junk2/layer.tar']
    const check = new UnpackCheck(layers, file)
    for (const junk of ['junk2/layer.tar', 'junk1/layer.tar']) {
      const w = check.watch(junk)
      // In header-sized pieces: the first says it is no tar, and what follows changes nothing.
      for (let i = 0; i < 3; i++) w.push(Buffer.alloc(512, 0x41))
      w.end()
    }
    for (const name of manifest[0].Layers) {
      const w = check.watch(name)
      w.push(member(name))
      w.end()
    }
    expect(() => check.check()).toThrow(`layer ${layers.length - 1} 'junk1/layer.tar' is not a tar (nor a compressed tar)`)
  })

  it('a layer kept twice is unpacked at each place: refused at the second, named there', async () => {
    const hello = await packTar([{name: 'etc/', type: 'directory'}, {name: 'etc/hello', data: 'hello\n'}])
    const link = await packTar([{name: 'etc/', type: 'directory'}, {name: 'etc/again', type: 'link', linkname: 'etc/hello'}])
    const gone = await packTar([{name: 'etc/', type: 'directory'}, {name: 'etc/.wh.hello'}])
    const blobs: Record<string, Buffer> = {hello, link, gone}
    const feed = (layers: string[], order: string[]) => {
      const check = new UnpackCheck(layers, 'x.tar')
      for (const name of order) {
        const w = check.watch(name)
        w.push(blobs[name])
        w.end()
      }
      return check
    }
    // link, then hello again on top: fine in either order of the copy.
    expect(() => feed(['hello', 'link', 'hello'], ['hello', 'link']).check()).not.toThrow()
    expect(() => feed(['hello', 'link', 'hello'], ['link', 'hello']).check()).not.toThrow()
    // After the whiteout, the link's second use points at nothing.
    for (const order of [['hello', 'link', 'gone'], ['gone', 'link', 'hello'], ['link', 'gone', 'hello']]) {
      expect(() => feed(['hello', 'link', 'gone', 'link'], order).check(), order.join(' ')).toThrow(/^layer 4: Docker cannot unpack member 'etc\/again' \(link \/etc\/hello \/etc\/again: no such file or directory\)/)
    }
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
