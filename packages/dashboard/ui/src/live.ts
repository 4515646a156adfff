import { useEffect, useState } from 'preact/hooks';
import type { LiveMessage, TaskLiveMessage, TaskView } from '../../src/wire-types.js';
import { apiUrl } from './api.js';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'refused';

/** The connection state of the page's stream, shown in the header. */
const statusListeners = new Set<(status: LiveStatus) => void>();
let currentStatus: LiveStatus = 'connecting';
function setStatus(status: LiveStatus): void {
  currentStatus = status;
  for (const listener of statusListeners) listener(status);
}

export function useLiveStatus(): LiveStatus {
  const [status, set] = useState(currentStatus);
  useEffect(() => {
    statusListeners.add(set);
    return () => void statusListeners.delete(set);
  }, []);
  return status;
}

/** Opens an EventSource on `url` while mounted; the browser reconnects by itself after a drop. */
function useEventSource(url: string | null, onMessage: (data: string) => void): void {
  useEffect(() => {
    if (url === null) return;
    setStatus('connecting');
    const source = new EventSource(url);
    source.onopen = () => setStatus('live');
    source.onerror = () => setStatus(source.readyState === EventSource.CLOSED ? 'refused' : 'reconnecting');
    source.onmessage = (event: MessageEvent<string>) => onMessage(event.data);
    return () => source.close();
  }, [url]);
}

/**
 * The resources named by `keys` (e.g. `overview`, `tasks?state=FAILURE`), pushed by the server
 * whenever they change: the page never polls. A key's value is `undefined` until it first arrives.
 */
export function useLive(keys: readonly string[]): Readonly<Record<string, unknown>> {
  const [data, setData] = useState<Record<string, unknown>>({});
  const url = keys.length === 0 ? null : apiUrl(`live?${keys.map((k) => `watch=${encodeURIComponent(k)}`).join('&')}`);
  useEffect(() => setData({}), [url]);
  useEventSource(url, (raw) => {
    const message = JSON.parse(raw) as LiveMessage;
    setData((previous) => ({ ...previous, [message.key]: message.data }));
  });
  return data;
}

/** One task's view, live: progress as each report arrives, the full view on every change of state. */
export function useTaskLive(id: string): TaskView | null | undefined {
  const [view, setView] = useState<TaskView | null | undefined>(undefined);
  useEffect(() => setView(undefined), [id]);
  useEventSource(apiUrl(`tasks/${encodeURIComponent(id)}/live`), (raw) => {
    const message = JSON.parse(raw) as TaskLiveMessage;
    setView((current) => {
      if (message.type === 'view') return current != null && message.view !== null && message.view.seq < current.seq ? current : message.view;
      // A record adds what changed to the view it belongs to; an older one is dropped.
      if (current == null || message.record.seq <= current.seq) return current;
      return { ...current, ...message.record };
    });
  });
  return view;
}
