/**
 * The squarified treemap layout (Bruls, Huizing and van Wijk, 2000): values become rectangles
 * whose areas are proportional to them and whose sides stay close to square, so small ones can
 * still be seen and labelled. Pure geometry; map.ts decides what the values are.
 */
export interface Box {
  x: number
  y: number
  w: number
  h: number
}

/** Rectangles for `values` (any order; zero and negative values get none) inside `box`, in the order given. */
export function squarify(values: number[], box: Box): Array<Box | null> {
  const out: Array<Box | null> = values.map(() => null)
  const order = values
    .map((v, i) => [v, i] as const)
    .filter(([v]) => v > 0)
    .sort((x, y) => y[0] - x[0])
  const total = order.reduce((n, [v]) => n + v, 0)
  if (total === 0 || box.w <= 0 || box.h <= 0) return out
  const scale = (box.w * box.h) / total
  let free = {...box}
  let row: Array<readonly [number, number]> = []
  let rowArea = 0
  const worst = (areas: number[], sum: number, side: number): number => {
    const max = Math.max(...areas)
    const min = Math.min(...areas)
    return Math.max((side * side * max) / (sum * sum), (sum * sum) / (side * side * min))
  }
  const place = () => {
    // Lay the row along the short side of the free space, then shrink it.
    const horizontal = free.w >= free.h
    const side = horizontal ? free.h : free.w
    const thickness = rowArea / side
    let offset = 0
    for (const [v, i] of row) {
      const length = (v * scale) / thickness
      out[i] = horizontal ? {x: free.x, y: free.y + offset, w: thickness, h: length} : {x: free.x + offset, y: free.y, w: length, h: thickness}
      offset += length
    }
    free = horizontal ? {x: free.x + thickness, y: free.y, w: free.w - thickness, h: free.h} : {x: free.x, y: free.y + thickness, w: free.w, h: free.h - thickness}
    row = []
    rowArea = 0
  }
  for (const item of order) {
    const area = item[0] * scale
    const side = Math.min(free.w, free.h)
    const areas = row.map(([v]) => v * scale)
    if (row.length > 0 && worst([...areas, area], rowArea + area, side) > worst(areas, rowArea, side)) place()
    row.push(item)
    rowArea += area
  }
  if (row.length > 0) place()
  return out
}
