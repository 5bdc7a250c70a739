import pc from 'picocolors'

/**
 * How human output looks on this stream: colour and the width rows must fit (the terminal's
 * columns; null when the output is not a terminal, where nothing is cut). Colour: --color or
 * --no-color when given (a command-line flag wins, as the NO_COLOR convention asks); else
 * never with NO_COLOR, forced by FORCE_COLOR (FORCE_COLOR=0 forbids it), and on a terminal only.
 */
export interface Style {
  color: ReturnType<typeof pc.createColors>
  width: number | null
}

export function styleFor(stream: NodeJS.WriteStream, colorFlag?: boolean): Style {
  return {color: pc.createColors(colorFlag ?? colorFromEnvironment(stream)), width: stream.isTTY ? stream.columns || 80 : null}
}

function colorFromEnvironment(stream: NodeJS.WriteStream): boolean {
  if ((process.env.NO_COLOR ?? '') !== '') return false
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
export function wrapWords(text: string, width: number | null, indent?: string): string {
  if (width === null) return text
  // Each line on its own; a continuation goes two columns right of where its line starts.
  if (text.includes('\n')) return text.split('\n').map((l) => wrapWords(l, width, indent)).join('\n')
  if (visibleLength(text) <= width) return text
  const start = /^ */.exec(text)![0]
  const lead = indent ?? start + '  '
  const lines: string[] = []
  let line = start
  for (const word of text.slice(start.length).split(' ')) {
    const next = line.trim() === '' ? line + word : `${line} ${word}`
    if (line.trim() !== '' && visibleLength(next) > width) {
      lines.push(line)
      line = lead + word
    } else {
      line = next
    }
  }
  if (line.trim() !== '') lines.push(line)
  return lines.join('\n')
}

/** Characters a terminal shows (colour codes take no room). */
function visibleLength(text: string): number {
  return [...text.replace(/\u001B\[[0-9;]*m/g, '')].length
}
