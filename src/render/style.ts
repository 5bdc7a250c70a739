import pc from 'picocolors'

/**
 * How human output looks on this stream: colour (on a terminal only; never with NO_COLOR or
 * --no-color; FORCE_COLOR forces it, FORCE_COLOR=0 forbids it) and the width rows must fit
 * (the terminal's columns; null when the output is not a terminal, where nothing is cut).
 */
export interface Style {
  color: ReturnType<typeof pc.createColors>
  width: number | null
}

export function styleFor(stream: NodeJS.WriteStream, noColor = false): Style {
  return {color: pc.createColors(colorWanted(stream, noColor)), width: stream.isTTY ? stream.columns || 80 : null}
}

function colorWanted(stream: NodeJS.WriteStream, noColor: boolean): boolean {
  if (noColor || (process.env.NO_COLOR ?? '') !== '') return false
  const force = process.env.FORCE_COLOR
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false'
  return Boolean(stream.isTTY) && process.env.TERM !== 'dumb'
}

/** Plain text, for JSON and tests. */
export const PLAIN: Style = {color: pc.createColors(false), width: null}

/** Cut a line to the width (an ellipsis marks the cut); colour codes do not count. */
export function fit(line: string, width: number | null): string {
  if (width === null) return line
  const visible = line.replace(/\u001B\[[0-9;]*m/g, '')
  if ([...visible].length <= width) return line
  // Rare (colour codes inside a line that is too long): cut the plain text.
  return [...visible].slice(0, Math.max(1, width - 1)).join('') + '…'
}

/** Prose broken at spaces so no line passes the width; continuation lines get `indent`. */
export function wrapWords(text: string, width: number | null, indent = '  '): string {
  if (width === null || [...text].length <= width) return text
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    const next = line === '' ? word : `${line} ${word}`
    if (line !== '' && [...next.replace(/\u001B\[[0-9;]*m/g, '')].length > width) {
      lines.push(line)
      line = indent + word
    } else {
      line = next
    }
  }
  if (line !== '') lines.push(line)
  return lines.join('\n')
}
