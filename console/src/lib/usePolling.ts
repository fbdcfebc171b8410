import { useEffect, useRef, useState } from "preact/hooks";

/** Loads now and every `intervalMs` (new messages within 3 s without a reload); keeps the last answer. */
export function usePolling<T>(load: (() => Promise<T>) | null, intervalMs: number, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const tick = useRef(0);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (!load) return;
    let active = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      const mine = ++tick.current;
      try {
        const answer = await load();
        if (active && mine === tick.current) {
          setData(answer);
          setError(null);
        }
      } catch (failure) {
        if (active) setError(failure as Error);
      }
      if (active) timer = setTimeout(run, intervalMs);
    };
    setData(null);
    run();
    return () => {
      active = false;
      clearTimeout(timer);
    };
  }, [...deps, version]);
  return { data, error, reload: () => setVersion((v) => v + 1) };
}
