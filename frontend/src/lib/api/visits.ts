/** visits: the day's round ("Ma tournée"), a capteur's visits; recording a visit as done and
 * planning one as outbox drafts (sent with an Idempotency-Key, see lib/outbox.ts). */
import type { Draft, OutboxItem } from '../outbox';
import { api, type Schemas } from './client';

export type Round = Schemas['RoundOutput'];
export type Stop = Schemas['RoundStopOutput'];
export type Visit = Schemas['VisitOutput'];
export type VisitKind = Schemas['VisitKindEnum'];
export type VisitStatus = Schemas['VisitStatusEnum'];
export type CapteurStage = Schemas['CapteurStageEnum'];

export const roundKey = (date: string) => `round:${date}`;
export const capteurVisitsKey = (capteurId: number) => `capteur:${capteurId}:visits`;

/** The logged-in facilitator's round of `date` (YYYY-MM-DD): stops in route order, those
 * without coordinates last (the API's order, kept as is). */
export function getRound(date: string): Promise<Round> {
  return api.call(() => api.client.GET('/api/v1/visits/round/', { params: { query: { date } } }));
}

/** A capteur's visits, latest planned first. */
export async function listCapteurVisits(capteurId: number): Promise<Visit[]> {
  const page = await api.call(() =>
    api.client.GET('/api/v1/visits/', {
      params: { query: { capteur: capteurId, page_size: 50 } },
    }),
  );
  return page.results;
}

export interface DoneInput {
  /** The day the visit was made (the phone's today when tapped, not when the outbox sends). */
  doneOn: string;
  outcome: string;
  nextStep: string;
  /** The capteur's new stage, if the visit changed it. */
  stage?: CapteurStage | undefined;
}

export function doneDraft(stop: Pick<Stop, 'visit' | 'capteur_name'>, input: DoneInput): Draft {
  const body: Schemas['VisitDoneInputRequest'] = {
    done_on: input.doneOn,
    outcome: input.outcome.trim(),
    next_step: input.nextStep.trim(),
    ...(input.stage ? { capteur_stage: input.stage } : {}),
  };
  return {
    kind: 'visit',
    method: 'POST',
    path: `/api/v1/visits/${stop.visit}/done/`,
    body,
    label: `Visite faite : ${stop.capteur_name}`,
    visitId: stop.visit,
  };
}

export function planDraft(
  capteur: { id: number; name: string },
  kind: VisitKind,
  plannedOn: string,
  note = '',
): Draft {
  const body: Schemas['VisitPlanInputRequest'] = {
    capteur: capteur.id,
    kind,
    planned_on: plannedOn,
    note: note.trim(),
  };
  return {
    kind: 'visitPlan',
    method: 'POST',
    path: '/api/v1/visits/',
    body,
    label: `Visite planifiée : ${capteur.name}`,
    capteurId: capteur.id,
  };
}

/** Where a visit stands on this phone: an action of the outbox about it waits or was refused. */
export function visitState(
  outbox: OutboxItem[],
  visitId: number,
): 'pending' | 'failed' | undefined {
  const mine = outbox.filter((item) => item.visitId === visitId);
  if (mine.some((item) => item.state === 'failed')) return 'failed';
  return mine.length ? 'pending' : undefined;
}

/** The visits planned from this phone that wait for the network, for one capteur. */
export function plannedOffline(outbox: OutboxItem[], capteurId: number): OutboxItem[] {
  return outbox.filter((item) => item.kind === 'visitPlan' && item.capteurId === capteurId);
}
