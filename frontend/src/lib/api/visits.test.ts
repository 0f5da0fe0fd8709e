import 'fake-indexeddb/auto';

import { beforeEach, describe, expect, it, vi } from 'vitest';

import { adviceFor, enqueue, flush, list, wipeOutbox } from '../outbox';
import type { SendResult, WriteRequest } from './client';
import { doneDraft, planDraft, plannedOffline, visitState } from './visits';

const USER = 3;
const stop = { visit: 41, capteur_name: 'Bar des Sports' };

beforeEach(async () => {
  await wipeOutbox();
});

describe('visit drafts', () => {
  it('records a visit as done on the day it was tapped, with the capteur’s new stage', () => {
    const draft = doneDraft(stop, {
      doneOn: '2026-12-03',
      outcome: ' Affiche posée. ',
      nextStep: 'Repasser en janvier',
      stage: 'partner',
    });

    expect(draft).toMatchObject({
      kind: 'visit',
      method: 'POST',
      path: '/api/v1/visits/41/done/',
      body: {
        done_on: '2026-12-03',
        outcome: 'Affiche posée.',
        next_step: 'Repasser en janvier',
        capteur_stage: 'partner',
      },
      visitId: 41,
    });
  });

  it('leaves the capteur’s stage out when it does not change', () => {
    const draft = doneDraft(stop, { doneOn: '2026-12-03', outcome: '', nextStep: '' });

    expect(draft.body).not.toHaveProperty('capteur_stage');
  });

  it('plans a visit to a capteur', () => {
    const draft = planDraft(
      { id: 9, name: 'Pharmacie du Centre' },
      'prospection',
      '2026-12-10',
      ' Présenter le réseau ',
    );

    expect(draft).toMatchObject({
      kind: 'visitPlan',
      path: '/api/v1/visits/',
      body: {
        capteur: 9,
        kind: 'prospection',
        planned_on: '2026-12-10',
        note: 'Présenter le réseau',
      },
      capteurId: 9,
    });
  });
});

describe('visits in the outbox', () => {
  it('shows a visit done offline as pending, then replays it with its key', async () => {
    // given: a visit recorded without network
    const item = await enqueue(
      doneDraft(stop, { doneOn: '2026-12-03', outcome: 'Vu', nextStep: '' }),
      USER,
    );
    const offline = vi.fn(async (): Promise<SendResult> => ({ kind: 'network' }));
    expect((await flush(offline, USER)).stoppedBy).toBe('network');
    expect(visitState(await list(USER), 41)).toBe('pending');

    // when: the network returns
    const received: WriteRequest[] = [];
    const online = vi.fn(async (request: WriteRequest): Promise<SendResult> => {
      received.push(request);
      return { kind: 'ok', status: 200, data: { id: 41, status: 'done' } };
    });
    const report = await flush(online, USER);

    // then: sent once, under the key it was given when tapped
    expect(report.sent).toHaveLength(1);
    expect(received).toEqual([expect.objectContaining({ key: item.key })]);
    expect(visitState(await list(USER), 41)).toBeUndefined();
  });

  it('keeps a conflict as refused, with what to do about the visit', async () => {
    await enqueue(doneDraft(stop, { doneOn: '2026-12-03', outcome: '', nextStep: '' }), USER);
    const conflict: SendResult = {
      kind: 'http',
      status: 409,
      problem: {
        status: 409,
        title: 'Conflit',
        detail: 'Cette visite est « Annulée » : elle ne peut plus changer.',
        code: 'illegal_visit_transition',
      },
    };

    const report = await flush(
      vi.fn(async () => conflict),
      USER,
    );

    expect(report.failed).toHaveLength(1);
    const items = await list(USER);
    expect(visitState(items, 41)).toBe('failed');
    expect(items[0]?.advice).toContain('Ouvrez cette visite');
  });

  it('lists the visits planned for a capteur that wait for the network', async () => {
    await enqueue(planDraft({ id: 9, name: 'Pharmacie' }, 'follow_up', '2026-12-10'), USER);
    await enqueue(planDraft({ id: 8, name: 'Tabac' }, 'follow_up', '2026-12-10'), USER);

    expect(plannedOffline(await list(USER), 9).map((item) => item.label)).toEqual([
      'Visite planifiée : Pharmacie',
    ]);
  });

  it('names the visit in the advice of a refused visit action', () => {
    const gone = { status: 404, title: 'Introuvable', detail: '', code: 'not_found' };

    expect(adviceFor(gone, 'visit')).toContain('cette visite n’existe plus');
    expect(adviceFor(gone, 'visitPlan')).toContain('ce capteur n’existe plus');
  });
});
