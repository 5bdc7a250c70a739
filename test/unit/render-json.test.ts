/**
 * src/render/json-pieces.ts: the diff's JSON written in pieces must be, joined, exactly what
 * JSON.stringify(value, null, 2) writes. The judge is JSON.stringify itself, on values with every
 * case its layout and omissions have (undefined in objects and arrays, empty containers, toJSON,
 * strings holding newlines, nesting deeper than the pieces go).
 */
import {describe, expect, it} from 'vitest'
import {jsonPieces} from '../../src/render/json-pieces.js'

const joined = (v: unknown) => [...jsonPieces(v)].join('')

describe('jsonPieces is JSON.stringify(value, null, 2) in pieces', () => {
  const values: Record<string, unknown> = {
    'a diff-like object': {
      a: {path: 'x.tar', layers: [{diffId: 'sha256:1', files: 3}], nothing: undefined},
      files: [
        {path: '/a\nb', change: 'added', fields: [], layer: null, a: null, b: {size: 1, mtime: null, xattrs: {}}},
        {path: '/c', change: 'modified', fields: ['mode', 'mtime'], a: {mode: 0o644}, b: {mode: 0o600, when: new Date(0)}},
      ],
      empty: [],
      none: {},
      fn: () => 1,
      list: [undefined, () => 1, 'x', [1, [2, [3]]], {deep: {deeper: {deepest: [1, 2]}}}],
      patches: null,
    },
    'an array at the top': [{a: 1}, [], {}, undefined, 'two\nlines'],
    'an empty object': {},
    'an empty array': [],
    'a string': 'quote " and \\ and \n',
    'a number': 42,
    null: null,
    'a date': new Date(86_400_000),
  }
  for (const [what, value] of Object.entries(values)) {
    it(what, () => {
      expect(joined(value)).toBe(JSON.stringify(value, null, 2))
    })
  }

  it('a big array comes element by element, not as one piece', () => {
    const files = Array.from({length: 1000}, (_, i) => ({path: `/f${i}`, size: i}))
    const pieces = [...jsonPieces({files})]
    expect(pieces.length).toBeGreaterThan(1000)
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(100)
    expect(pieces.join('')).toBe(JSON.stringify({files}, null, 2))
  })
})
