/**
 * The report's script, run in the browser. It is written here as one self-contained function
 * (type-checked with the rest) and inlined by page.ts as `(source)()`, so it may use nothing
 * from outside its own body: no imports, no module-level names.
 *
 * It reads the JSON blob (<script id="report-data">), then makes the file table interactive:
 * only the rows in view are built (a 50,000-row table stays fast), filters by kind, runtime
 * files, path (a prefix such as /etc, or a glob such as /usr/**\/*.so) and search; sorting by a
 * column header; picking a row shows its unified diff; a click in the treemap filters to that
 * directory. `#files[data-shown]` holds how many rows pass the filters (tests read it).
 */
export function reportClient(): void {
  type Row = [string, number, number, string, string, 0 | 1, 0 | 1]
  const source = document.getElementById('report-data')
  if (!source) return
  const data = JSON.parse(source.textContent ?? '{}') as {files: {kinds: string[]; rows: Row[]}; patches: Record<string, string> | null}
  document.documentElement.classList.add('js')
  const rows = data.files.rows
  const kinds = data.files.kinds
  const ROW = 24
  const section = document.getElementById('files')!
  const scroller = document.getElementById('vt')!
  const space = document.getElementById('vt-space')!
  const holder = document.getElementById('vt-rows')!
  const count = document.getElementById('f-count')!
  const pathBox = document.getElementById('f-path') as HTMLInputElement
  const searchBox = document.getElementById('f-search') as HTMLInputElement
  const runtimeBox = document.getElementById('f-runtime') as HTMLInputElement | null
  const patchBox = document.getElementById('patch')!
  const enabled = new Set(kinds.map((_, i) => i))
  // Rows arrive in a useful order (path order for a diff; layer, then path, for one image): kept until a header is clicked.
  let sortKey = 'order'
  let sortDir = 1
  let shown: number[] = []
  let selected = -1

  const humanSize = (n: number): string => {
    const units = ['B', 'kB', 'MB', 'GB', 'TB']
    let u = 0
    while (n >= 1000 && u < units.length - 1) {
      n /= 1000
      u++
    }
    return `${u === 0 ? String(n) : String(Number(n.toPrecision(3)))} ${units[u]}`
  }

  /** A prefix (`/etc` selects /etc and what is under it) or a glob (`*` within a name, `**` across). */
  const pathTest = (text: string): ((p: string) => boolean) => {
    const t = text.trim()
    if (t === '') return () => true
    const rooted = t.startsWith('/') || t.startsWith('*') ? t : '/' + t
    if (!/[*?[]/.test(rooted)) {
      const dir = rooted.replace(/\/+$/, '') || '/'
      return (p) => p === dir || p.startsWith(dir === '/' ? '/' : dir + '/')
    }
    let re = ''
    for (let i = 0; i < rooted.length; i++) {
      const c = rooted[i]
      if (c === '*' && rooted[i + 1] === '*') {
        re += '.*'
        i++
      } else if (c === '*') re += '[^/]*'
      else if (c === '?') re += '[^/]'
      else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&')
    }
    const glob = new RegExp(`^${re}$`)
    // A glob naming a directory selects what is under it too.
    return (p) => glob.test(p) || glob.test(p.replace(/\/[^/]*$/, ''))
  }

  const compare = (x: number, y: number): number => {
    const a = rows[x]
    const b = rows[y]
    let d = 0
    if (sortKey === 'bytes') d = a[2] - b[2]
    else if (sortKey === 'kind') d = a[1] - b[1]
    else if (sortKey === 'layer') d = a[4].localeCompare(b[4], undefined, {numeric: true})
    else if (sortKey === 'detail') d = a[3] < b[3] ? -1 : a[3] > b[3] ? 1 : 0
    else if (sortKey === 'path') d = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0
    return d * sortDir || x - y
  }

  const filter = (): void => {
    const inPath = pathTest(pathBox.value)
    const needle = searchBox.value.trim().toLowerCase()
    const withRuntime = runtimeBox ? runtimeBox.checked : true
    shown = []
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]
      if (!enabled.has(r[1]) || (r[5] === 1 && !withRuntime) || !inPath(r[0])) continue
      if (needle && !`${r[0]}\u0000${r[3]}\u0000${r[4]}`.toLowerCase().includes(needle)) continue
      shown.push(i)
    }
    shown.sort(compare)
    section.dataset.shown = String(shown.length)
    count.textContent = `${shown.length} of ${rows.length} rows`
    // An empty table keeps room for the line that says why it is empty.
    space.style.height = `${Math.max(shown.length * ROW, shown.length === 0 ? 48 : 0)}px`
    scroller.scrollTop = 0
    draw()
  }

  const draw = (): void => {
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW) - 5)
    const last = Math.min(shown.length, first + Math.ceil(scroller.clientHeight / ROW) + 10)
    holder.style.transform = `translateY(${first * ROW}px)`
    const frag = document.createDocumentFragment()
    for (let n = first; n < last; n++) {
      const i = shown[n]
      const r = rows[i]
      const line = document.createElement('div')
      line.className = 'vt-row' + (i === selected ? ' sel' : '') + (r[6] ? ' has-patch' : '')
      line.dataset.row = String(i)
      const cells: Array<[string, string]> = [
        ['k', kinds[r[1]]],
        ['p', r[0]],
        ['n', humanSize(r[2])],
        ['d', r[3]],
        ['l', r[4]],
      ]
      for (const [cls, text] of cells) {
        const cell = document.createElement('span')
        cell.className = cls
        if (cls === 'k') {
          const chip = document.createElement('span')
          chip.className = `kind k-${text}`
          chip.textContent = text
          cell.append(chip)
          if (r[5]) cell.title = 'runtime file: made by a container, not by the image'
        } else {
          cell.textContent = text
          cell.title = text
        }
        line.append(cell)
      }
      frag.append(line)
    }
    if (shown.length === 0) {
      const none = document.createElement('div')
      none.className = 'vt-empty'
      none.textContent = rows.length === 0 ? 'No rows.' : 'No row passes the filters' + (runtimeBox && !runtimeBox.checked && rows.some((r) => r[5] === 1) ? ' (runtime files are hidden: tick "runtime files" to see them).' : '.')
      frag.append(none)
    }
    holder.replaceChildren(frag)
  }

  const showPatch = (i: number): void => {
    selected = i
    const r = rows[i]
    patchBox.replaceChildren()
    const head = document.createElement('div')
    head.className = 'mono'
    head.textContent = `${kinds[r[1]]} ${r[0]}${r[3] ? ` (${r[3]})` : ''}${r[4] ? ` · layer ${r[4]}` : ''}`
    patchBox.append(head)
    const patch = data.patches?.[r[0]]
    if (patch) {
      const pre = document.createElement('pre')
      for (const text of patch.split('\n')) {
        const span = document.createElement('span')
        span.className = text.startsWith('@@') ? 'hunk' : text.startsWith('+') && !text.startsWith('+++') ? 'add' : text.startsWith('-') && !text.startsWith('---') ? 'del' : ''
        span.textContent = text + '\n'
        pre.append(span)
      }
      patchBox.append(pre)
    }
    draw()
  }

  let timer: ReturnType<typeof setTimeout> | undefined
  const later = (): void => {
    clearTimeout(timer)
    timer = setTimeout(filter, 120)
  }
  pathBox.addEventListener('input', later)
  searchBox.addEventListener('input', later)
  runtimeBox?.addEventListener('change', filter)
  for (const box of section.querySelectorAll<HTMLInputElement>('input[data-kind]')) {
    box.addEventListener('change', () => {
      if (box.checked) enabled.add(Number(box.dataset.kind))
      else enabled.delete(Number(box.dataset.kind))
      filter()
    })
  }
  for (const head of section.querySelectorAll<HTMLElement>('[data-sort]')) {
    head.addEventListener('click', () => {
      const key = head.dataset.sort!
      sortDir = key === sortKey ? -sortDir : key === 'bytes' ? -1 : 1
      sortKey = key
      for (const other of section.querySelectorAll<HTMLElement>('[data-sort]')) delete other.dataset.dir
      head.dataset.dir = sortDir === 1 ? 'asc' : 'desc'
      filter()
    })
  }
  scroller.addEventListener('scroll', () => requestAnimationFrame(draw), {passive: true})
  holder.addEventListener('click', (event) => {
    const line = (event.target as HTMLElement).closest<HTMLElement>('.vt-row')
    if (line) showPatch(Number(line.dataset.row))
  })
  // The treemap: a rectangle filters the table to its directory (a merged cell to its top directory).
  for (const cell of document.querySelectorAll<SVGGElement>('.map-cell')) {
    cell.style.cursor = 'pointer'
    cell.addEventListener('click', () => {
      const dir = (cell.dataset.dir ?? '').replace(/ \(smaller\)$/, '')
      pathBox.value = dir
      if (runtimeBox && cell.closest('#map-runtime')) runtimeBox.checked = true
      filter()
      section.scrollIntoView({behavior: 'smooth'})
    })
  }
  filter()
}
