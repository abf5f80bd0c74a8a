import { useCallback, useState } from 'react';

/** Runs one user action at a time, keeping its error to show next to the button that caused it. */
export function useAction<A extends unknown[]>(run: (...args: A) => Promise<unknown>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const perform = useCallback(
    async (...args: A) => {
      setBusy(true);
      setError(null);
      try {
        await run(...args);
        return true;
      } catch (err) {
        setError(err);
        return false;
      } finally {
        setBusy(false);
      }
    },
    [run],
  );
  return { perform, busy, error, clearError: () => setError(null) };
}
