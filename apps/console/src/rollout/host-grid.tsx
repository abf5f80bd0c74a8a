import { useLayoutEffect, useRef, useState, type MouseEvent } from 'react';
import { CELL_COLOURS, cellDetail, type HostCell } from './host-cells';
import { cellAt, cellOrigin, gridLayout, type GridLayout } from './grid-layout';

function paint(ctx: CanvasRenderingContext2D, layout: GridLayout, cells: readonly HostCell[]): void {
  ctx.clearRect(0, 0, layout.width, layout.height);
  const inner = layout.cell - layout.gap;
  cells.forEach((c, i) => {
    const { x, y } = cellOrigin(layout, i);
    ctx.fillStyle = CELL_COLOURS[c.state];
    ctx.fillRect(x, y, inner, inner);
    if (c.current && inner >= 6) {
      ctx.strokeStyle = '#111';
      ctx.lineWidth = 1;
      ctx.strokeRect(x + 0.5, y + 0.5, inner - 1, inner - 1);
    }
    if (c.canary) {
      // a gold corner marks a canary
      const s = Math.max(3, Math.floor(inner / 2.5));
      ctx.fillStyle = '#ffd400';
      ctx.beginPath();
      ctx.moveTo(x, y);
      ctx.lineTo(x + s, y);
      ctx.lineTo(x, y + s);
      ctx.closePath();
      ctx.fill();
    }
  });
}

/**
 * The rollout's hosts as coloured cells on one canvas: a repaint is one pass
 * over an array, so 1,000 or 10,000 hosts do not create DOM nodes. The hovered
 * cell's host and detail are shown below it.
 */
export function HostGrid(props: { readonly cells: readonly HostCell[]; readonly sequence: number }) {
  const wrapper = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(720);
  const [hover, setHover] = useState<number | null>(null);
  const layout = gridLayout(props.cells.length, width);

  useLayoutEffect(() => {
    const el = wrapper.current;
    if (!el) return undefined;
    const measure = () => setWidth(Math.max(120, Math.floor(el.clientWidth || 720)));
    measure();
    if (typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // layout effect: the canvas is painted in the same frame as the DOM update, never a frame late
  useLayoutEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext?.('2d');
    if (!el || !ctx) return;
    const ratio = window.devicePixelRatio || 1;
    el.width = layout.width * ratio;
    el.height = layout.height * ratio;
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    paint(ctx, layout, props.cells);
  }, [layout.width, layout.height, layout.cell, layout.columns, props.cells, props.sequence]);

  const onMove = (e: MouseEvent<HTMLCanvasElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    setHover(cellAt(layout, props.cells.length, e.clientX - rect.left, e.clientY - rect.top));
  };
  const hovered = hover === null ? undefined : props.cells[hover];
  return (
    <div ref={wrapper} className="host-grid">
      <canvas
        ref={canvas}
        role="img"
        aria-label={`${props.cells.length} hosts`}
        data-testid="host-grid"
        data-cells={props.cells.map((c) => `${c.host}=${c.state}${c.canary ? '*' : ''}`).join(' ')}
        data-sequence={props.sequence}
        style={{ width: layout.width, height: layout.height }}
        onMouseMove={onMove}
        onMouseLeave={() => setHover(null)}
      />
      <div className="grid-hover" aria-live="off">
        {hovered ? (
          <>
            <strong>{hovered.host}</strong> {hovered.state} — {cellDetail(hovered)}
          </>
        ) : (
          'Hover a cell to see its host.'
        )}
      </div>
    </div>
  );
}
