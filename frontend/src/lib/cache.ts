/**
 * What the app last loaded from the API, kept in IndexedDB so that the inbox, the referrals
 * and the capteurs open without network. Personal data: wiped at logout (wipeCache).
 */
import { clear, createStore, get, set, type UseStore } from 'idb-keyval';

export interface Saved<T> {
  data: T;
  /** ISO time of the answer: shown as "chargé le …" when offline. */
  savedAt: string;
}

let store: UseStore | undefined;
const answers = () => (store ??= createStore('relais-cache', 'answers'));

export async function remember<T>(key: string, data: T, now = new Date()): Promise<void> {
  await set(key, { data, savedAt: now.toISOString() } satisfies Saved<T>, answers());
}

export async function recall<T>(key: string): Promise<Saved<T> | undefined> {
  return get<Saved<T>>(key, answers());
}

export async function wipeCache(): Promise<void> {
  await clear(answers());
}
