/**
 * `JSON.stringify(value, null, 2)` in pieces, for output too big to build as one string: the
 * top object and its arrays go member by member, deeper values each as one piece. Joined, the
 * pieces are that text exactly (same omissions of undefined, same nulls in arrays).
 */
export function* jsonPieces(value: unknown, indent = '', depth = 0): Generator<string> {
  const inner = indent + '  '
  if (depth < 2 && Array.isArray(value) && value.length > 0) {
    yield '[\n'
    for (let i = 0; i < value.length; i++) {
      yield inner
      yield* jsonPieces(isOmitted(value[i]) ? null : value[i], inner, depth + 1)
      yield i < value.length - 1 ? ',\n' : '\n'
    }
    yield indent + ']'
    return
  }
  if (depth < 2 && isPlainObject(value)) {
    const keys = Object.keys(value).filter((k) => !isOmitted(value[k]))
    if (keys.length > 0) {
      yield '{\n'
      for (const [i, k] of keys.entries()) {
        yield `${inner}${JSON.stringify(k)}: `
        yield* jsonPieces(value[k], inner, depth + 1)
        yield i < keys.length - 1 ? ',\n' : '\n'
      }
      yield indent + '}'
      return
    }
  }
  // A string value never holds a raw newline (JSON escapes it): every newline is the layout's.
  yield (JSON.stringify(value, null, 2) ?? 'null').replaceAll('\n', '\n' + indent)
}

function isOmitted(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol'
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as {toJSON?: unknown}).toJSON !== 'function'
}
