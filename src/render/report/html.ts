/**
 * Building HTML as strings, safely: every text and attribute goes through `esc`, and data for the
 * page's script goes through `jsonForScript`, which cannot close the <script> element it sits in.
 */

const ENTITIES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}

/** Text or an attribute value (quoted with "). Lone surrogates (non-UTF-8 names) become U+FFFD as UTF-8 would. */
export function esc(text: string | number): string {
  return String(text)
    .replace(/[&<>"']/g, (c) => ENTITIES[c])
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
}

/** Attributes from an object: undefined and false are left out, true is written bare. */
export function attrs(values: Record<string, string | number | boolean | undefined | null>): string {
  let out = ''
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === null || v === false) continue
    out += v === true ? ` ${k}` : ` ${k}="${esc(v)}"`
  }
  return out
}

/** An element: `tag('p', {class: 'x'}, 'text already escaped')`. */
export function tag(name: string, attributes: Record<string, string | number | boolean | undefined | null>, ...children: string[]): string {
  return `<${name}${attrs(attributes)}>${children.join('')}</${name}>`
}

/**
 * JSON to put inside <script type="application/json">: `<` is escaped so no `</script>` or
 * `<!--` can appear, and U+2028/U+2029 too (harmless in JSON, but not in every consumer).
 */
export function jsonForScript(data: unknown): string {
  return JSON.stringify(data).replace(/[<\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}
