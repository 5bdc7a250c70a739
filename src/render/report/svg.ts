import {attrs, esc} from './html.js'

/**
 * The few SVG pieces the report's charts are made of. (Inline SVG in HTML needs no namespace, so the page holds no URL at all.) Charts are plain SVG written here, not a
 * chart library: the page must work from disk with no network and, for its static parts, without
 * JavaScript, and every library worth inlining draws in the browser with JavaScript (and would
 * add 50-250 kB to every report); a treemap, bars and a lane graph are a few dozen lines each.
 */
type Attrs = Record<string, string | number | boolean | undefined | null>

/** Numbers rounded to 0.1 px: shorter files, no visible difference. */
export function px(n: number): number {
  return Math.round(n * 10) / 10
}

export function svg(width: number, height: number, a: Attrs, ...children: string[]): string {
  return `<svg${attrs({viewBox: `0 0 ${px(width)} ${px(height)}`, width: px(width), height: px(height), ...a})}>${children.join('')}</svg>`
}

export function rect(x: number, y: number, w: number, h: number, a: Attrs = {}, title?: string): string {
  const body = title === undefined ? '' : `<title>${esc(title)}</title>`
  return `<rect${attrs({x: px(x), y: px(y), width: px(Math.max(0, w)), height: px(Math.max(0, h)), ...a})}>${body}</rect>`
}

export function text(x: number, y: number, content: string, a: Attrs = {}): string {
  return `<text${attrs({x: px(x), y: px(y), ...a})}>${esc(content)}</text>`
}

export function line(x1: number, y1: number, x2: number, y2: number, a: Attrs = {}): string {
  return `<line${attrs({x1: px(x1), y1: px(y1), x2: px(x2), y2: px(y2), ...a})}/>`
}

export function path(d: string, a: Attrs = {}): string {
  return `<path${attrs({d, ...a})}/>`
}

export function circle(cx: number, cy: number, r: number, a: Attrs = {}, title?: string): string {
  const body = title === undefined ? '' : `<title>${esc(title)}</title>`
  return `<circle${attrs({cx: px(cx), cy: px(cy), r, ...a})}>${body}</circle>`
}

export function group(a: Attrs, ...children: string[]): string {
  return `<g${attrs(a)}>${children.join('')}</g>`
}

/** A label cut to fit `width` px at about `charWidth` px a character (an ellipsis marks the cut). */
export function fitLabel(label: string, width: number, charWidth = 6.5): string {
  const max = Math.floor(width / charWidth)
  if (max < 2) return ''
  return label.length <= max ? label : label.slice(0, max - 1) + '…'
}
