/**
 * src/image/paths.ts and fs-tree.ts: how a member name becomes a path (Go's path.Clean inside a
 * chroot) and how paths resolve (Linux inside a chroot). The expected values are Go's and Linux's
 * documented behaviour, not imgdiff's output.
 */
import {describe, expect, it} from 'vitest'
import {FsError, FsTree, type Inode, namesOf} from '../../src/image/fs-tree.js'
import {baseName, goClean, joinPath, landingPath, parentOf, plainLanding} from '../../src/image/paths.js'

describe('goClean is Go\'s path.Clean', () => {
  // Go's rules: drop empty and `.` elements, let `..` eat the element before it (never past the
  // root of a rooted path; kept at the front of a relative one), and "" becomes ".".
  const cases: Array<[string, string]> = [
    ['', '.'],
    ['.', '.'],
    ['/', '/'],
    ['//', '/'],
    ['abc', 'abc'],
    ['abc/', 'abc'],
    ['/abc/', '/abc'],
    ['a//b///c', 'a/b/c'],
    ['a/./b', 'a/b'],
    ['./a', 'a'],
    ['/./a/b', '/a/b'],
    ['a/b/..', 'a'],
    ['a/b/../..', '.'],
    ['a/b/../../..', '..'],
    ['/a/b/../..', '/'],
    ['/a/b/../../..', '/'],
    ['/..', '/'],
    ['..', '..'],
    ['../..', '../..'],
    ['../../a', '../../a'],
    ['a/../../b', '../b'],
    ['a/b/../c/../d', 'a/d'],
    ['a/./../b', 'b'],
    ['a/../../././../b', '../../b'],
    ['x/../../../y/z/../../../w', '../../../w'],
  ]
  for (const [name, clean] of cases) it(`${JSON.stringify(name)} -> ${JSON.stringify(clean)}`, () => expect(goClean(name)).toBe(clean))
})

describe('landingPath: where a member lands inside the chroot', () => {
  const cases: Array<[string, string]> = [
    ['etc/passwd', '/etc/passwd'],
    ['./etc/passwd', '/etc/passwd'],
    ['/etc/passwd', '/etc/passwd'],
    ['../etc/passwd', '/etc/passwd'],
    ['a/../../../b', '/b'],
    ['usr/bin/', '/usr/bin'],
    ['.', '/'],
    ['', '/'],
    ['./', '/'],
    ['..', '/'],
  ]
  for (const [name, landing] of cases) it(`${JSON.stringify(name)} -> ${landing}`, () => expect(landingPath(name)).toBe(landing))

  // landingPath takes the fast path when it can, so the fast path is held to the full clean itself.
  const cleaned = (name: string) => goClean('/' + name)

  it('the fast path agrees with the full clean, and takes the common names', () => {
    const common = ['a', 'a/', 'bin/sh', './bin/sh', './usr/lib/x86_64-linux-gnu/', 'usr/lib/x86_64-linux-gnu/libc.so.6', 'a b/c~d', 'é/ü']
    for (const name of common) expect(plainLanding(name), name).toBe(cleaned(name))
    const unusual = ['/abs', '../up', 'a/../b', 'a/./b', 'a//b', '.', './', '', '.hidden', 'a/.wh.b', 'a/..', '../../x', '..a/b/../c']
    for (const name of unusual) {
      const fast = plainLanding(name)
      if (fast !== null) expect(fast, name).toBe(cleaned(name))
      expect(landingPath(name), name).toBe(cleaned(name))
    }
    // Names with `.` or `..` elements, empty elements or a leading slash need the full clean.
    for (const name of ['/abs', '../up', 'a/../b', 'a/./b', 'a//b', 'a/.', 'a/..', '.']) expect(plainLanding(name), name).toBeNull()
  })

  it('every name of up to 8 characters of a, dot and slash lands where the full clean puts it', () => {
    let names = ['']
    let taken = 0
    for (let length = 1; length <= 8; length++) {
      names = names.flatMap((n) => ['a', '.', '/'].map((c) => n + c))
      for (const name of names) {
        const fast = plainLanding(name)
        if (fast !== null) {
          taken++
          expect(fast, name).toBe(cleaned(name))
        }
        expect(landingPath(name), name).toBe(cleaned(name))
      }
    }
    expect(taken).toBeGreaterThan(100)
  })
})

describe('parentOf, baseName, joinPath', () => {
  it('split and join rooted paths', () => {
    expect(parentOf('/a/b/c')).toBe('/a/b')
    expect(parentOf('/a')).toBe('/')
    expect(parentOf('/')).toBe('/')
    expect(baseName('/a/b/c')).toBe('c')
    expect(baseName('/a')).toBe('a')
    expect(baseName('/')).toBe('/')
    expect(joinPath('/', 'a')).toBe('/a')
    expect(joinPath('/a/b', 'c')).toBe('/a/b/c')
  })
})

/** A small tree built through the public calls, as the unpacker builds it. */
function tree(): FsTree {
  const fs = new FsTree()
  const mkdir = (p: string) => {
    const {dir, name} = fs.resolve(p, false, 'mkdir')
    fs.add(dir, name, {type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: 100, size: 0, layer: 0})
  }
  const file = (p: string) => {
    const {dir, name} = fs.resolve(p, false, 'open')
    fs.add(dir, name, {type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 100, size: 3, layer: 0})
  }
  const symlink = (p: string, target: string) => {
    const {dir, name} = fs.resolve(p, false, 'symlink')
    fs.add(dir, name, {type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: 100, size: 0, target, layer: 0})
  }
  mkdir('/etc')
  file('/etc/passwd')
  mkdir('/usr')
  mkdir('/usr/lib')
  file('/usr/lib/libc.so')
  symlink('/lib', 'usr/lib')
  symlink('/abs', '/usr/lib')
  symlink('/up', '../../../etc')
  symlink('/loop1', 'loop2')
  symlink('/loop2', 'loop1')
  symlink('/dangling', 'nowhere')
  symlink('/empty', '')
  symlink('/tofile', 'etc/passwd')
  // Directory times are set last, as the unpacker sets them at the end of a layer.
  for (const node of fs.paths.values()) if (node.type === 'dir') node.mtime = 100
  fs.root.mtime = 100
  return fs
}

describe('FsTree resolves paths as Linux does inside a chroot', () => {
  it('follows symlinks in every component, and in the last only when asked', () => {
    const fs = tree()
    expect(fs.resolve('/lib/libc.so', false, 'open').node).toBe(fs.get('/usr/lib/libc.so'))
    expect(fs.resolve('/abs/libc.so', false, 'open').node).toBe(fs.get('/usr/lib/libc.so'))
    expect(fs.resolve('/lib', true, 'stat').node).toBe(fs.get('/usr/lib'))
    expect(fs.resolve('/lib', false, 'lstat').node?.type).toBe('symlink')
    expect(fs.lstat('/lib')?.type).toBe('symlink')
    // A new name through a symlinked directory lands in the real directory.
    const at = fs.resolve('/lib/new', false, 'open')
    expect(at.node).toBeUndefined()
    expect(at.dir).toBe(fs.get('/usr/lib'))
    expect(at.name).toBe('new')
  })

  it('`..` stops at the root, through a symlink too', () => {
    const fs = tree()
    expect(fs.resolve('/../../etc/passwd', false, 'open').node).toBe(fs.get('/etc/passwd'))
    expect(fs.resolve('/up/passwd', false, 'open').node).toBe(fs.get('/etc/passwd'))
    expect(fs.resolve('/usr/lib/../../etc', true, 'stat').node).toBe(fs.get('/etc'))
    expect(fs.resolve('/usr/..', false, 'stat').node).toBe(fs.root)
    expect(fs.resolve('/', false, 'stat').node).toBe(fs.root)
    expect(fs.resolve('/.', false, 'stat').node).toBe(fs.root)
    expect(fs.resolve('/etc/./passwd', false, 'open').node).toBe(fs.get('/etc/passwd'))
    expect(fs.resolve('/etc//passwd', false, 'open').node).toBe(fs.get('/etc/passwd'))
  })

  it('fails the way Linux fails: ELOOP after 40 links, ENOENT, ENOTDIR', () => {
    const fs = tree()
    const code = (p: string, follow = false) => {
      try {
        fs.resolve(p, follow, 'open')
        return 'ok'
      } catch (error) {
        expect(error).toBeInstanceOf(FsError)
        return (error as FsError).code
      }
    }
    expect(code('/loop1/x')).toBe('ELOOP')
    expect(code('/loop1', true)).toBe('ELOOP')
    expect(code('/loop1', false)).toBe('ok')
    expect(code('/dangling/x')).toBe('ENOENT')
    expect(code('/empty/x')).toBe('ENOENT')
    expect(code('/missing/x')).toBe('ENOENT')
    expect(code('/etc/passwd/x')).toBe('ENOTDIR')
    expect(code('/tofile/x')).toBe('ENOTDIR')
    expect(code('/dangling', true)).toBe('ok')
    expect(() => fs.resolve('/etc/passwd/x', false, 'open')).toThrow('open /etc/passwd/x: not a directory')
    expect(() => fs.resolve('/missing/x', false, 'mkdir')).toThrow('mkdir /missing/x: no such file or directory')
    expect(() => fs.resolve('/loop1/x', false, 'open')).toThrow(/^open .*: too many levels of symbolic links$/)
  })

  it('a chain of 40 symlinks resolves; 41 is a loop (Linux MAXSYMLINKS)', () => {
    for (const [links, ok] of [[40, true], [41, false]] as const) {
      const fs = new FsTree()
      const {dir} = fs.resolve('/target', false, 'mkdir')
      fs.add(dir, 'target', {type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: 1, size: 0, layer: 0})
      for (let i = 0; i < links; i++) {
        const target = i === links - 1 ? 'target' : `l${i + 1}`
        fs.add(fs.root, `l${i}`, {type: 'symlink', mode: 0o777, uid: 0, gid: 0, mtime: 1, size: 0, target, layer: 0})
      }
      if (ok) expect(fs.resolve('/l0/x', false, 'open').dir).toBe(fs.get('/target'))
      else expect(() => fs.resolve('/l0/x', false, 'open')).toThrow(/too many levels/)
    }
  })

  /** What beforeChange says first for each path: a copy of the inode as it was then (undefined: none). */
  function recordBefore(fs: FsTree): Map<string, Inode | undefined> {
    const first = new Map<string, Inode | undefined>()
    fs.beforeChange = (path, node) => {
      if (!first.has(path)) first.set(path, node && {...node})
    }
    return first
  }

  it('keeps `paths` to the real paths, and says what it is about to change and removes', () => {
    const fs = tree()
    const touched = recordBefore(fs)
    fs.layerNow = 3
    const etc = fs.get('/etc')!
    const passwd = fs.get('/etc/passwd')!
    fs.remove(fs.root, 'etc')
    expect(fs.get('/etc')).toBeUndefined()
    expect(fs.get('/etc/passwd')).toBeUndefined()
    expect(fs.removedBy.get('/etc')).toBe(3)
    expect(fs.removedBy.get('/etc/passwd')).toBe(3)
    // What each path held before, once; the root's mtime became unknowable (its contents changed).
    expect(touched.get('/etc')).toMatchObject({type: 'dir', mtime: 100})
    // As it was then: still named (the removal takes its name after).
    expect(touched.get('/etc/passwd')).toMatchObject({type: 'file', size: 3, names: '/etc/passwd'})
    expect(passwd.names).toBeUndefined()
    expect(etc.children?.size).toBe(1)
    expect(fs.root.mtime).toBeNull()
    // Removing what is not there does nothing.
    fs.remove(fs.root, 'etc')
    expect(fs.removedBy.size).toBe(2)
  })

  it('changing a directory\'s contents makes its mtime unknowable, and says so before it does', () => {
    const fs = tree()
    const usr = fs.get('/usr')!
    expect(usr.mtime).toBe(100)
    const touched = recordBefore(fs)
    fs.add(usr, 'share', {type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: 5, size: 0, layer: 1})
    expect(usr.mtime).toBeNull()
    expect(touched.get('/usr')).toMatchObject({mtime: 100})
    expect(touched.has('/usr/share')).toBe(true)
    expect(touched.get('/usr/share')).toBeUndefined()
    fs.add(usr, 'bin', {type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: 5, size: 0, layer: 1})
    expect(touched.get('/usr')).toMatchObject({mtime: 100})
    expect(fs.get('/usr/share')?.path).toBe('/usr/share')
    expect(fs.get('/usr/share')?.parent).toBe(usr)
  })

  it('a hard link is one inode under several names; removing one name keeps the other', () => {
    const fs = tree()
    const libc = fs.get('/usr/lib/libc.so')!
    const touched = recordBefore(fs)
    fs.add(fs.get('/etc')!, 'libc-link', libc)
    expect(libc.names).toEqual(['/usr/lib/libc.so', '/etc/libc-link'])
    expect(namesOf(libc)).toEqual(['/usr/lib/libc.so', '/etc/libc-link'])
    expect(fs.get('/etc/libc-link')).toBe(libc)
    // The existing name was said to change too (the inode's link count changed), and the new one (nothing there yet).
    expect(touched.get('/usr/lib/libc.so')).toMatchObject({names: '/usr/lib/libc.so'})
    expect(touched.has('/etc/libc-link')).toBe(true)
    expect(touched.get('/etc/libc-link')).toBeUndefined()
    fs.remove(fs.get('/usr/lib')!, 'libc.so')
    // One name left: the string itself, no array (fs-tree.ts namesOf).
    expect(libc.names).toBe('/etc/libc-link')
    expect(namesOf(libc)).toEqual(['/etc/libc-link'])
    expect(fs.get('/etc/libc-link')).toBe(libc)
  })

  it('touchInode says nothing unless asked to, and never names the root', () => {
    const fs = tree()
    fs.touchInode(fs.get('/etc')!)
    const touched = recordBefore(fs)
    fs.touchInode(fs.root)
    expect(touched.size).toBe(0)
    fs.touchInode(fs.get('/etc/passwd')!)
    expect([...touched.keys()]).toEqual(['/etc/passwd'])
  })

  it('beforeChange sees each path about to change as it still is, at each change, with nothing copied', () => {
    const fs = tree()
    const seen: Array<[string, number | null | undefined, string | undefined]> = []
    fs.beforeChange = (path, node) => seen.push([path, node?.mtime, node?.type])
    const usr = fs.get('/usr')!
    fs.add(usr, 'share', {type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: 5, size: 0, layer: 1})
    fs.add(usr, 'bin', {type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: 5, size: 0, layer: 1})
    fs.remove(fs.root, 'etc')
    expect(seen).toEqual([
      ['/usr/share', undefined, undefined],
      // /usr's contents changed: seen with the mtime it had until then, once (its mtime is then unknowable).
      ['/usr', 100, 'dir'],
      ['/usr/bin', undefined, undefined],
      // Once per change of it: a file losing a name is seen as the path and as the inode (the first call is what counts).
      ['/etc/passwd', 100, 'file'],
      ['/etc/passwd', 100, 'file'],
      ['/etc', 100, 'dir'],
    ])
    expect(fs.touched).toBeUndefined()
    fs.beforeChange = undefined
    fs.add(usr, 'lib2', {type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: 5, size: 0, layer: 1})
    expect(seen).toHaveLength(6)
  })

  it('walk lists directories depth first, then the other entries of each directory', () => {
    const fs = tree()
    const walked = [...fs.walk()].map(([p]) => p)
    expect(new Set(walked)).toEqual(new Set(fs.paths.keys()))
    expect(walked.length).toBe(fs.paths.size)
    expect(walked.indexOf('/usr/lib')).toBeGreaterThan(walked.indexOf('/usr'))
    expect(walked.indexOf('/usr/lib/libc.so')).toBeLessThan(walked.indexOf('/lib'))
    expect(walked.slice(0, 4)).toEqual(['/etc', '/etc/passwd', '/usr', '/usr/lib'])
    const nodes = new Map([...fs.walk()])
    expect(nodes.get('/etc/passwd')).toBe(fs.get('/etc/passwd'))
  })

  it('the root is a directory that is its own parent', () => {
    const fs = new FsTree()
    const root: Inode = fs.root
    expect(root.parent).toBe(root)
    expect(root).toMatchObject({type: 'dir', path: '/', mode: 0o755})
    expect(fs.resolve('/..', true, 'stat').node).toBe(root)
    expect(fs.paths.size).toBe(0)
  })
})
