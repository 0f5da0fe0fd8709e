/**
 * Loads an API answer for a screen: what was kept from last time shows at once (offline, or
 * while the network is slow), then the fresh answer replaces it and is kept in turn.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import { ApiError, NetworkError } from './api/client';
import { recall, remember } from './cache';

export interface Resource<T> {
  data?: T;
  /** When `data` was loaded, if it is not fresh from this visit (shown when offline). */
  savedAt?: string;
  loading: boolean;
  offline: boolean;
  error?: ApiError;
  reload: () => void;
}

export function useResource<T>(key: string | null, load: () => Promise<T>): Resource<T> {
  const [state, setState] = useState<Omit<Resource<T>, 'reload'>>({
    loading: key !== null,
    offline: false,
  });
  const [round, setRound] = useState(0);
  const loader = useRef(load);
  loader.current = load;

  useEffect(() => {
    if (key === null) return undefined;
    let live = true;
    // Set once the network answered: what was kept must not replace it then.
    let fresh = false;
    setState((previous) => ({ ...previous, loading: true, offline: false }));
    recall<T>(key)
      .then((saved) => {
        if (live && saved && !fresh) {
          setState((previous) => ({ ...previous, data: saved.data, savedAt: saved.savedAt }));
        }
      })
      .catch(() => undefined);
    loader
      .current()
      .then(async (data) => {
        if (!live) return;
        fresh = true;
        setState({ data, loading: false, offline: false });
        await remember(key, data).catch(() => undefined);
      })
      .catch((error: unknown) => {
        if (!live) return;
        if (error instanceof NetworkError) {
          setState((previous) => ({ ...previous, loading: false, offline: true }));
        } else if (error instanceof ApiError) {
          setState((previous) => ({ ...previous, loading: false, error }));
        } else {
          throw error;
        }
      });
    return () => {
      live = false;
    };
  }, [key, round]);

  const reload = useCallback(() => setRound((n) => n + 1), []);
  return { ...state, reload };
}
