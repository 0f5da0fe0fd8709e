import 'fake-indexeddb/auto';

import { beforeEach, describe, expect, it, vi } from 'vitest';

import type { SendResult, WriteRequest } from './api/client';
import { adviceFor, discard, enqueue, flush, list, retry, wipeOutbox, type Draft } from './outbox';

const USER = 7;

function note(text: string, referralId = 12): Draft {
  return {
    kind: 'note',
    method: 'POST',
    path: `/api/v1/referrals/${referralId}/notes/`,
    body: { text },
    label: `Note : ${text}`,
    referralId,
  };
}

/** A server that answers each request with the next of `answers` and records what it got. */
function server(...answers: SendResult[]) {
  const received: WriteRequest[] = [];
  const send = vi.fn(async (request: WriteRequest): Promise<SendResult> => {
    received.push(request);
    return answers.shift() ?? { kind: 'ok', status: 201, data: { ok: true } };
  });
  return { send, received };
}

const conflict: SendResult = {
  kind: 'http',
  status: 409,
  problem: {
    status: 409,
    title: 'Opération impossible',
    detail: 'Cette orientation est clôturée.',
    code: 'illegal_status_transition',
  },
};

beforeEach(async () => {
  await wipeOutbox();
});

describe('the outbox', () => {
  it('keeps actions in the order they were taken, each with its own key', async () => {
    const first = await enqueue(note('un'), USER);
    const second = await enqueue(note('deux'), USER);

    const items = await list(USER);

    expect(items.map((item) => item.label)).toEqual(['Note : un', 'Note : deux']);
    expect(first.key).not.toEqual(second.key);
    expect(first.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(items.every((item) => item.state === 'pending')).toBe(true);
  });

  it('sends in order with the idempotency key and forgets what the server accepted', async () => {
    const first = await enqueue(note('un'), USER);
    await enqueue(note('deux'), USER);
    const { send, received } = server();

    const report = await flush(send, USER);

    expect(received.map((r) => (r.body as { text: string }).text)).toEqual(['un', 'deux']);
    expect(received[0]?.key).toEqual(first.key);
    expect(report.sent).toHaveLength(2);
    expect(await list(USER)).toEqual([]);
  });

  it('stops at the first network failure and keeps everything for the next try', async () => {
    await enqueue(note('un'), USER);
    await enqueue(note('deux'), USER);
    const { send } = server({ kind: 'network' });

    const report = await flush(send, USER);

    expect(report.stoppedBy).toBe('network');
    expect(send).toHaveBeenCalledTimes(1);
    expect((await list(USER)).map((item) => item.state)).toEqual(['pending', 'pending']);
  });

  it('replays with the same key after a lost answer', async () => {
    const item = await enqueue(note('un'), USER);
    await flush(server({ kind: 'network' }).send, USER);
    const { send, received } = server();

    await flush(send, USER);

    expect(received[0]?.key).toEqual(item.key);
  });

  it('keeps a refused action with what to do, and sends the next ones', async () => {
    await enqueue(note('refusée'), USER);
    await enqueue(note('acceptée'), USER);
    const { send } = server(conflict);

    const report = await flush(send, USER);

    expect(report.failed).toHaveLength(1);
    expect(report.sent).toHaveLength(1);
    const [kept] = await list(USER);
    expect(kept?.state).toBe('failed');
    expect(kept?.advice).toContain('Cette orientation est clôturée.');
    expect(kept?.advice).toContain('Ouvrez cette orientation');
  });

  it('does not resend a refused action until the person retries it', async () => {
    const item = await enqueue(note('un'), USER);
    await flush(server(conflict).send, USER);
    const later = server();

    await flush(later.send, USER);
    expect(later.send).not.toHaveBeenCalled();

    await retry(item.key);
    await flush(later.send, USER);
    expect(later.received[0]?.key).toEqual(item.key);
    expect(await list(USER)).toEqual([]);
  });

  it('waits for a new login when the session has expired', async () => {
    await enqueue(note('un'), USER);
    const expired: SendResult = {
      kind: 'http',
      status: 401,
      problem: {
        status: 401,
        title: '',
        detail: 'Authentification requise',
        code: 'not_authenticated',
      },
    };

    const report = await flush(server(expired).send, USER);

    expect(report.stoppedBy).toBe('session');
    expect((await list(USER))[0]?.state).toBe('pending');
  });

  it('keeps actions pending through a server error', async () => {
    await enqueue(note('un'), USER);
    const down: SendResult = {
      kind: 'http',
      status: 502,
      problem: { status: 502, title: '', detail: 'Bad gateway', code: 'http_502' },
    };

    const report = await flush(server(down).send, USER);

    expect(report.stoppedBy).toBe('server');
    expect((await list(USER))[0]?.state).toBe('pending');
  });

  it('sends only the current person’s actions', async () => {
    await enqueue(note('à moi'), USER);
    await enqueue(note('à quelqu’un d’autre'), USER + 1);
    const { send, received } = server();

    await flush(send, USER);

    expect(received).toHaveLength(1);
    expect(await list(USER + 1)).toHaveLength(1);
  });

  it('runs one flush at a time', async () => {
    await enqueue(note('un'), USER);
    const { send } = server();

    await Promise.all([flush(send, USER), flush(send, USER)]);

    expect(send).toHaveBeenCalledTimes(1);
  });

  it('drops a discarded action and wipes everything at logout', async () => {
    const item = await enqueue(note('un'), USER);
    await enqueue(note('deux'), USER);

    await discard(item.key);
    expect(await list(USER)).toHaveLength(1);

    await wipeOutbox();
    expect(await list()).toEqual([]);
  });
});

describe('advice on a refused action', () => {
  it('says what to do for each refusal', () => {
    const problem = (status: number) => ({ status, title: '', detail: 'Non.', code: 'x' });

    expect(adviceFor(problem(404), 'note')).toContain('n’existe plus');
    expect(adviceFor(problem(403), 'note')).toContain('Vos droits ont changé');
    expect(adviceFor(problem(422), 'capteur')).toContain('Abandonnez-la');
    expect(
      adviceFor({ ...problem(400), errors: { phone: ['Numéro invalide.'] } }, 'capteur'),
    ).toContain('Numéro invalide.');
  });
});
