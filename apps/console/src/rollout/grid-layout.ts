/** Where each host's cell goes on the canvas: square cells, row-major, sized to fit. */
export interface GridLayout {
  readonly cell: number;
  readonly gap: number;
  readonly columns: number;
  readonly rows: number;
  readonly width: number;
  readonly height: number;
}

export function gridLayout(count: number, width: number, maxCell = 36, minCell = 6): GridLayout {
  const usable = Math.max(width, minCell);
  // the largest cell that keeps the grid about as tall as it is wide
  let cell = maxCell;
  while (cell > minCell) {
    const columns = Math.max(1, Math.floor(usable / cell));
    if (Math.ceil(count / columns) * cell <= Math.max(usable * 0.6, cell)) break;
    cell -= 1;
  }
  const gap = cell >= 14 ? 2 : 1;
  const columns = Math.max(1, Math.floor(usable / cell));
  const rows = Math.ceil(count / columns);
  return { cell, gap, columns, rows, width: columns * cell, height: rows * cell };
}

/** The index of the cell under a point, or null. */
export function cellAt(layout: GridLayout, count: number, x: number, y: number): number | null {
  if (x < 0 || y < 0 || x >= layout.width) return null;
  const index = Math.floor(y / layout.cell) * layout.columns + Math.floor(x / layout.cell);
  return index < count ? index : null;
}

export function cellOrigin(layout: GridLayout, index: number): { x: number; y: number } {
  return { x: (index % layout.columns) * layout.cell, y: Math.floor(index / layout.columns) * layout.cell };
}
