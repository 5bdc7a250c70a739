import {reportClient} from './client.js'
import {type ReportData} from './data.js'
import {efficiencySection} from './efficiency.js'
import {filesSection} from './files.js'
import {cardsSection, lostSection, sizesSection} from './header.js'
import {historySection} from './history.js'
import {esc, jsonForScript, tag} from './html.js'
import {layersSection} from './layers.js'
import {mapSection} from './map.js'
import {STYLES} from './styles.js'

/**
 * The whole report as one HTML document: inline CSS, inline SVG, the data as one JSON blob and
 * the script, nothing fetched (a Content-Security-Policy forbids the page any network access, so
 * even a mistake could not load anything). Sections are rendered here, so the page reads with
 * JavaScript off; the script only adds the interactive table.
 *
 * renderReportPage(data): string
 */
export function renderReportPage(data: ReportData): string {
  const title =
    data.mode === 'diff'
      ? `imgdiff: ${baseName(data.sides[0].path)} vs ${baseName(data.sides[1].path)}`
      : `imgdiff: ${baseName(data.sides[0].path)}`
  // After the two archives, the lost-history panel comes first: it is what a reader of an export most needs.
  const sections =
    data.mode === 'diff'
      ? [cardsSection(data), lostSection(data), historySection(data), layersSection(data), mapSection(data), filesSection(data), sizesSection(data)]
      : [cardsSection(data), efficiencySection(data), historySection(data), layersSection(data), mapSection(data), filesSection(data)]
  const nav = [['sides', 'Archives'], ['lost', 'History lost'], ['efficiency', 'Efficiency'], ['history', 'History'], ['layers', 'Layers'], ['map', 'Map'], ['files', 'Files'], ['sizes', 'Sizes']]
    .filter(([id]) => sections.some((s) => s.startsWith(`<section id="${id}"`)))
    .map(([id, label]) => `<a href="#${id}">${esc(label)}</a>`)
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta name="generator" content="${esc(data.generator)}">`,
    `<title>${esc(title)}</title>`,
    `<style>${STYLES}</style>`,
    '</head>',
    '<body>',
    '<main>',
    tag('h1', {}, esc(title)),
    tag('nav', {}, ...nav),
    ...sections,
    '</main>',
    `<script type="application/json" id="report-data">${jsonForScript(data)}</script>`,
    `<script>(${reportClient.toString()})()</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n')
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1) || path
}
