/** What every screen may use: the person, the network, the outbox, and a few app actions. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

import type { Me } from './api/accounts';
import type { Draft, OutboxItem } from './outbox';

export type SubmitResult =
  { state: 'sent'; data: unknown } | { state: 'queued' } | { state: 'failed'; item: OutboxItem };

export interface AppValue {
  me: Me;
  online: boolean;
  /** This person's actions not yet accepted by the server (pending, or refused). */
  outbox: OutboxItem[];
  /** Queues an action and tries to send it at once. */
  submit: (draft: Draft) => Promise<SubmitResult>;
  sync: () => void;
  /** A short message read out to screen readers and shown for a few seconds. */
  notify: (message: string) => void;
  setMe: (me: Me) => void;
  logout: () => Promise<void>;
}

export const AppContext = createContext<AppValue | null>(null);

export function useApp(): AppValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside <AppContext.Provider>');
  return value;
}
