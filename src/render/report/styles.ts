/**
 * The report's one stylesheet, inlined in <style>. Chart colours are CSS classes on the SVG
 * shapes (k-<kind>, s-<layer status>), so the static page is coloured without JavaScript and a
 * dark system theme gets its own palette. Controls that need the script are hidden until the
 * script marks <html class="js">.
 */
export const STYLES = `
:root {
  --bg: #f6f8fa; --panel: #fff; --fg: #1f2328; --muted: #59636e; --line: #d1d9e0; --accent: #0969da;
  --added: #2da44e; --removed: #cf222e; --modified: #bf8700; --changed: #bf8700;
  --visible: #4c78a8; --hidden: #e45756; --runtime: #8c959f;
  --same: #aab4be; --same-content: #7d8fa3; --different: #bf8700; --only-a: #cf222e; --only-b: #2da44e;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --panel: #151b23; --fg: #e6edf3; --muted: #9198a1; --line: #3d444d; --accent: #4493f8;
    --same: #59636e; --same-content: #6e7f93; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 16px; }
h1 { font-size: 20px; margin: 4px 0 12px; }
h2 { font-size: 16px; margin: 0 0 8px; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin: 0 0 14px; }
.muted, figcaption { color: var(--muted); }
figure { margin: 0; }
figcaption { font-size: 12px; margin-top: 4px; }
code, .mono, pre { font-family: var(--mono); font-size: 12.5px; }
pre { white-space: pre-wrap; word-break: break-all; margin: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.card .label { font-weight: 700; margin-right: 6px; }
.card dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0 0; }
.card dt { color: var(--muted); }
.card dd { margin: 0; overflow-wrap: anywhere; }
.lost { border-left: 4px solid var(--removed); }
.lost ul { margin: 6px 0; padding-left: 20px; }
.legend { display: flex; flex-wrap: wrap; gap: 12px; font-size: 12px; color: var(--muted); margin: 6px 0; }
.legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; vertical-align: -1px; }
.k-added { fill: var(--added); background: var(--added); } .k-removed { fill: var(--removed); background: var(--removed); }
.k-modified, .k-changed { fill: var(--modified); background: var(--modified); }
.k-visible { fill: var(--visible); background: var(--visible); } .k-hidden { fill: var(--hidden); background: var(--hidden); }
.k-runtime { fill: var(--runtime); background: var(--runtime); }
.s-same { fill: var(--same); background: var(--same); } .s-same-content { fill: var(--same-content); background: var(--same-content); }
.s-different { fill: var(--different); background: var(--different); } .s-only-a { fill: var(--only-a); background: var(--only-a); }
.s-only-b { fill: var(--only-b); background: var(--only-b); }
svg text { fill: var(--fg); font: 11px system-ui, sans-serif; }
svg text.mono { font-family: var(--mono); font-size: 11px; }
svg text.on-color { fill: #fff; }
svg .grid { stroke: var(--line); fill: none; }
svg .lane { stroke: var(--muted); stroke-width: 2; fill: none; }
svg .node { fill: var(--panel); stroke: var(--accent); stroke-width: 2; }
svg .node.tagged { fill: var(--accent); }
svg .best, svg text.best { fill: var(--accent); }
svg .dist { fill: var(--same-content); }
svg .cell { stroke: var(--panel); stroke-width: 1; }
svg .group-frame { fill: none; stroke: var(--muted); stroke-width: 1; }
svg rect.cell:hover, svg .bar:hover { opacity: .8; }
.chart-scroll { overflow-x: auto; }
.history { display: flex; }
.history-graph { flex: none; }
.history-rows { flex: 1; min-width: 0; }
.hrow { height: 26px; display: flex; align-items: center; gap: 10px; white-space: nowrap; border-bottom: 1px solid transparent; }
.hrow:hover { background: var(--bg); }
.hrow .id { font-family: var(--mono); width: 104px; flex: none; }
.hrow .id.none { color: var(--muted); }
.hrow .step { color: var(--muted); width: 52px; flex: none; text-align: right; }
.hrow .bar { flex: none; width: 130px; height: 10px; background: var(--bg); border-radius: 2px; overflow: hidden; }
.hrow .bar span { display: block; height: 100%; background: var(--visible); }
.hrow .size { width: 72px; flex: none; text-align: right; font-variant-numeric: tabular-nums; }
.hrow .cmd { overflow: hidden; text-overflow: ellipsis; font-family: var(--mono); font-size: 12px; flex: 1; min-width: 0; }
.tag { display: inline-block; font-size: 11px; border: 1px solid var(--accent); color: var(--accent); border-radius: 10px; padding: 0 6px; margin-left: 4px; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.path { font-family: var(--mono); font-size: 12.5px; overflow-wrap: anywhere; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; margin: 8px 0; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; min-width: 150px; }
.figure b { display: block; font-size: 20px; }
.figure span { color: var(--muted); font-size: 12px; }
.needs-js { display: none; }
html.js .needs-js { display: block; }
html.js .controls.needs-js { display: flex; }
html.js .no-js-only { display: none; }
.controls { display: flex; flex-wrap: wrap; gap: 10px 16px; align-items: center; margin: 6px 0 8px; }
.controls input[type=search] { padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--panel); color: var(--fg); min-width: 220px; }
.controls label { white-space: nowrap; }
.vt { max-height: 480px; overflow: auto; border: 1px solid var(--line); border-radius: 6px; position: relative; }
.vt-head, .vt-row { display: grid; grid-template-columns: 84px minmax(0, 1fr) 96px minmax(0, 0.6fr) 110px; gap: 8px; padding: 0 8px; align-items: center; }
.vt-head { position: sticky; top: 0; z-index: 1; background: var(--panel); border-bottom: 1px solid var(--line); height: 28px; font-size: 12px; color: var(--muted); font-weight: 600; }
.vt-head span[data-sort] { cursor: pointer; user-select: none; }
.vt-head span[data-sort]:hover { color: var(--fg); }
.vt-head span[data-dir=asc]::after { content: " \\25b2"; } .vt-head span[data-dir=desc]::after { content: " \\25bc"; }
.vt-row { height: 24px; white-space: nowrap; border-bottom: 1px solid var(--bg); cursor: default; }
.vt-row > span { overflow: hidden; text-overflow: ellipsis; }
.vt-row .p { font-family: var(--mono); font-size: 12px; }
.vt-empty { padding: 16px; color: var(--muted); }
.vt-row .n { text-align: right; font-variant-numeric: tabular-nums; }
.vt-row.sel { background: var(--bg); outline: 1px solid var(--accent); }
.vt-row.has-patch .p::after { content: " \\00b1"; color: var(--accent); }
.kind { display: inline-block; min-width: 66px; text-align: center; color: #fff; border-radius: 4px; font-size: 11px; padding: 0 4px; }
.runtime-note { color: var(--muted); font-size: 11px; margin-left: 4px; }
#patch { margin-top: 8px; }
#patch pre { border: 1px solid var(--line); border-radius: 6px; padding: 8px; max-height: 420px; overflow: auto; }
#patch .add { color: var(--added); } #patch .del { color: var(--removed); } #patch .hunk { color: var(--accent); }
details > summary { cursor: pointer; color: var(--accent); }
nav { font-size: 13px; margin-bottom: 10px; } nav a { color: var(--accent); margin-right: 12px; text-decoration: none; }
`
