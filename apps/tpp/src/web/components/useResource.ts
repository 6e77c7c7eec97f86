// Loads a resource from the JSON API and keeps its state: loading, the data, or the error to show.
import { useCallback, useEffect, useState } from 'react';
import type { ApiError } from '../../shared/api.js';
import { apiRequest, asApiError } from '../api.js';

export interface Resource<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  reload(): Promise<void>;
}

export function useResource<T>(path: string | undefined): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({
    loading: path !== undefined,
  });
  const load = useCallback(async () => {
    if (path === undefined) return;
    setState((s) => ({ ...s, loading: true }));
    try {
      setState({ data: await apiRequest<T>(path), loading: false });
    } catch (err) {
      setState({ error: asApiError(err), loading: false });
    }
  }, [path]);
  useEffect(() => {
    void load();
  }, [load]);
  return { ...state, reload: load };
}
