import { useEffect, useRef, useState } from 'react';

/**
 * State that takes many updates per frame but renders at most once per
 * animation frame: a 1,000-host rollout sends messages faster than a screen
 * shows them, and rendering each one would keep the main thread busy.
 */
export function useFrameBatched<T>(initial: T): [T, (update: (current: T) => T) => void, (value: T) => void] {
  const [value, setValue] = useState(initial);
  const pending = useRef<T>(initial);
  const frame = useRef<number | null>(null);
  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );
  const update = (fn: (current: T) => T) => {
    pending.current = fn(pending.current);
    frame.current ??= requestAnimationFrame(() => {
      frame.current = null;
      setValue(pending.current);
    });
  };
  const reset = (v: T) => {
    if (frame.current !== null) cancelAnimationFrame(frame.current);
    frame.current = null;
    pending.current = v;
    setValue(v);
  };
  return [value, update, reset];
}
