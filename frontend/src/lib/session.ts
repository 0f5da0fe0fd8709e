/**
 * Who is using the phone. The profile (GET /auth/me/) is kept in IndexedDB so that the app
 * opens offline; logging out wipes everything personal the app kept: the cached answers,
 * the outbox, the profile, and any Cache Storage other than the app's own files.
 */
import { clear, createStore, del, get, set, type UseStore } from 'idb-keyval';

import * as accounts from './api/accounts';
import { NetworkError } from './api/client';
import { wipeCache } from './cache';
import { wipeOutbox } from './outbox';

export type Me = accounts.Me;

let store: UseStore | undefined;
const session = () => (store ??= createStore('relais-session', 'profile'));
// A logout made offline: the server's session is closed as soon as the network allows.
const LOGOUT_PENDING = 'relais:logout-pending';

export function cachedMe(): Promise<Me | undefined> {
  return get<Me>('me', session());
}

/** Keeps `me`; a different person than the last one starts from an empty phone. */
export async function rememberMe(me: Me): Promise<void> {
  const previous = await cachedMe();
  if (previous && previous.id !== me.id) await wipeLocalData();
  await set('me', me, session());
}

export async function wipeLocalData(): Promise<void> {
  await Promise.all([wipeCache(), wipeOutbox(), clear(session())]);
  if (typeof caches !== 'undefined') {
    // The service worker keeps only the app's files (workbox-precache-*); anything else in
    // Cache Storage could hold API answers: it goes.
    const names = await caches.keys();
    await Promise.all(
      names
        .filter((name) => !name.startsWith('workbox-precache'))
        .map((name) => caches.delete(name)),
    );
  }
}

export async function logout(): Promise<void> {
  await wipeLocalData();
  await del('me', session());
  try {
    await accounts.logout();
    localStorage.removeItem(LOGOUT_PENDING);
  } catch (error) {
    if (error instanceof NetworkError) localStorage.setItem(LOGOUT_PENDING, '1');
    else localStorage.removeItem(LOGOUT_PENDING); // 401/403: the session was already over
  }
}

/** Finishes a logout made offline; true while it is still pending (stay logged out). */
export async function finishPendingLogout(): Promise<boolean> {
  if (!localStorage.getItem(LOGOUT_PENDING)) return false;
  try {
    await accounts.refreshCsrfAndLogout();
    localStorage.removeItem(LOGOUT_PENDING);
    return false;
  } catch (error) {
    if (error instanceof NetworkError) return true;
    localStorage.removeItem(LOGOUT_PENDING);
    return false;
  }
}
