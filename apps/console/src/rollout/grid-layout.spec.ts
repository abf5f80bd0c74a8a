import { cellAt, cellOrigin, gridLayout } from './grid-layout';

it('fits 20 hosts in one row of large cells and 1,000 hosts in a compact block', () => {
  expect(gridLayout(20, 1100)).toMatchObject({ cell: 36, columns: 30, rows: 1 });
  const big = gridLayout(1000, 1100);
  expect(big.columns * big.rows).toBeGreaterThanOrEqual(1000);
  expect(big.height).toBeLessThanOrEqual(1100 * 0.6 + big.cell);
  expect(big.cell).toBeGreaterThanOrEqual(6);
});

it('maps points to cells and back', () => {
  const layout = gridLayout(50, 400);
  for (const index of [0, 7, 49]) {
    const { x, y } = cellOrigin(layout, index);
    expect(cellAt(layout, 50, x + 1, y + 1)).toBe(index);
  }
  expect(cellAt(layout, 50, layout.width + 1, 0)).toBeNull();
  expect(cellAt(layout, 50, 0, layout.height + layout.cell)).toBeNull();
});
