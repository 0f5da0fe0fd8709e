/**
 * The outbox: every write the facilitator makes (a contact attempt, a note, a status move,
 * an orientation, a new capteur, a visit done or planned) is stored here first, in IndexedDB,
 * then sent by the page, in order, with the current session and CSRF token and the action's
 * own Idempotency-Key.
 *
 * Offline, actions wait here ("en attente") and leave when the network returns; an answer
 * lost on the way back is harmless, since the server recognises the key and writes once
 * (backend/core/idempotency.py). A refusal (the referral moved meanwhile: 409; invalid: 400;
 * gone: 404) is kept as "refusée" with what to do, until the person retries or drops it:
 * nothing is ever dropped silently. A 401 stops the queue until the person logs in again.
 *
 * Not Workbox Background Sync: it replays from the service worker with a stale CSRF token,
 * and takes a 4xx as delivered (see docs/field-notes.md).
 */
import { createStore, del, entries, set, clear, get, type UseStore } from 'idb-keyval';

import type { Problem, SendResult, WriteRequest } from './api/client';
import { newKey } from './uuid';

export type OutboxKind =
  'attempt' | 'note' | 'status' | 'orientation' | 'reassign' | 'capteur' | 'visit' | 'visitPlan';

/** An action as a screen describes it, before it is queued. */
export interface Draft extends Omit<WriteRequest, 'key'> {
  kind: OutboxKind;
  /** What the person did, in French, shown while it waits ("Note : « Rappeler lundi »"). */
  label: string;
  referralId?: number;
  /** The visit an action is about (recorded as done from "Ma tournée"). */
  visitId?: number;
  /** The capteur an action is about (a visit planned from its page). */
  capteurId?: number;
}

export interface OutboxItem extends Draft {
  /** Also the Idempotency-Key sent with every try of this action. */
  key: string;
  seq: number;
  userId: number;
  createdAt: string;
  state: 'pending' | 'failed';
  tries: number;
  problem?: Problem;
  /** For a refused action: what the person can do about it, in French. */
  advice?: string;
}

export type Sender = (request: WriteRequest) => Promise<SendResult>;

export interface FlushReport {
  sent: { item: OutboxItem; data: unknown }[];
  failed: OutboxItem[];
  /** Why the queue stopped before its end, if it did (items stay pending). */
  stoppedBy?: 'network' | 'server' | 'session';
}

let store: UseStore | undefined;
const items = () => (store ??= createStore('relais-outbox', 'items'));
const listeners = new Set<() => void>();
let lastSeq = 0;

function changed() {
  for (const listener of listeners) listener();
}

/** Calls `listener` whenever the outbox changes; returns the unsubscribe function. */
export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function list(userId?: number): Promise<OutboxItem[]> {
  const all = (await entries<string, OutboxItem>(items())).map(([, item]) => item);
  return all
    .filter((item) => userId === undefined || item.userId === userId)
    .sort((a, b) => a.seq - b.seq);
}

export async function enqueue(draft: Draft, userId: number, now = new Date()): Promise<OutboxItem> {
  // Strictly increasing, even for two actions in the same millisecond or a clock set back.
  const existing = await list();
  lastSeq = Math.max(lastSeq + 1, now.getTime(), ...existing.map((item) => item.seq + 1));
  const item: OutboxItem = {
    ...draft,
    key: newKey(),
    seq: lastSeq,
    userId,
    createdAt: now.toISOString(),
    state: 'pending',
    tries: 0,
  };
  await set(item.key, item, items());
  changed();
  return item;
}

const SUBJECT: Record<OutboxKind, string> = {
  attempt: 'cette orientation',
  note: 'cette orientation',
  status: 'cette orientation',
  orientation: 'cette orientation',
  reassign: 'cette orientation',
  capteur: 'ce capteur',
  visit: 'cette visite',
  visitPlan: 'ce capteur',
};

/** What to tell the person about a refused action. */
export function adviceFor(problem: Problem, kind: OutboxKind): string {
  const subject = SUBJECT[kind];
  switch (problem.status) {
    case 409:
      return `Refusée : ${problem.detail} La fiche a sans doute changé entre-temps (un·e collègue, un autre téléphone). Ouvrez ${subject} pour voir où en sont les choses, puis refaites l’action si elle a encore un sens, ou abandonnez-la.`;
    case 400:
      return `Refusée : ${problem.detail} ${fieldErrors(problem)}Abandonnez-la et refaites-la corrigée.`.trim();
    case 403:
      return `Refusée : ${problem.detail} Vos droits ont changé : demandez à votre coordinateur·rice.`;
    case 404:
      return `Refusée : ${subject} n’existe plus ou ne vous est plus visible. Abandonnez l’action.`;
    case 422:
      return `Refusée : ${problem.detail} Abandonnez-la puis refaites-la.`;
    default:
      return `Refusée : ${problem.detail}`;
  }
}

function fieldErrors(problem: Problem): string {
  if (!problem.errors) return '';
  const messages = Object.values(problem.errors).flatMap((value) =>
    Array.isArray(value) ? value.map(String) : [],
  );
  return messages.length ? `${messages.join(' ')} ` : '';
}

let running: Promise<FlushReport> | undefined;

/**
 * Sends `userId`'s pending actions in order. One flush at a time in this page, and one across
 * the app's open tabs where the Web Locks API exists. Stops at the first network or server
 * error (5xx, 429) or expired session, and keeps the rest pending for the next flush.
 */
export function flush(send: Sender, userId: number): Promise<FlushReport> {
  running ??= withLock(() => flushNow(send, userId)).finally(() => {
    running = undefined;
  });
  return running;
}

async function withLock<T>(run: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? locks.request('relais-outbox', run) : run();
}

async function flushNow(send: Sender, userId: number): Promise<FlushReport> {
  const report: FlushReport = { sent: [], failed: [] };
  for (const queued of await list(userId)) {
    if (queued.state !== 'pending') continue;
    // Another tab may have sent it meanwhile.
    const item = await get<OutboxItem>(queued.key, items());
    if (!item || item.state !== 'pending') continue;
    item.tries += 1;
    const result = await send({
      method: item.method,
      path: item.path,
      body: item.body,
      key: item.key,
    });
    if (result.kind === 'ok') {
      await del(item.key, items());
      report.sent.push({ item, data: result.data });
      changed();
      continue;
    }
    if (result.kind === 'network') {
      report.stoppedBy = 'network';
      break;
    }
    const { problem } = result;
    if (problem.status === 401) {
      report.stoppedBy = 'session';
      break;
    }
    if (problem.status >= 500 || problem.status === 429) {
      await set(item.key, item, items());
      report.stoppedBy = 'server';
      break;
    }
    const failed: OutboxItem = {
      ...item,
      state: 'failed',
      problem,
      advice: adviceFor(problem, item.kind),
    };
    await set(item.key, failed, items());
    report.failed.push(failed);
    changed();
  }
  return report;
}

/** Puts a refused action back in the queue (after the person fixed what it depended on). */
export async function retry(key: string): Promise<void> {
  const item = await get<OutboxItem>(key, items());
  if (!item) return;
  const next: OutboxItem = { ...item, state: 'pending' };
  delete next.problem;
  delete next.advice;
  await set(key, next, items());
  changed();
}

/** Drops an action for good (the person decided it no longer makes sense). */
export async function discard(key: string): Promise<void> {
  await del(key, items());
  changed();
}

/** Everything, for every user: at logout (the actions may quote personal data). */
export async function wipeOutbox(): Promise<void> {
  await clear(items());
  changed();
}
