/** capteurs: the registry (search, detail), sign-up as an outbox draft, codes and prints. */
import type { Draft } from '../outbox';
import { newKey } from '../uuid';
import { api, type Schemas } from './client';
import type { Page } from './referrals';

export type Capteur = Schemas['CapteurOutput'];
export type CapteurInput = Schemas['CapteurInputRequest'];
export type CapteurKind = Schemas['CapteurKindEnum'];
export type Stage = Schemas['CapteurStageEnum'];
export type Activity = Schemas['CapteurActivityEnum'];
export type ReferralCode = Schemas['ReferralCodeOutput'];

export interface CapteurFilters {
  q: string;
  kind: CapteurKind | '';
  stage: Stage | '';
  activity: Activity | '';
}

export function capteursKey(filters: CapteurFilters): string {
  return `capteurs:${filters.q.trim().toLowerCase()}:${filters.kind}:${filters.stage}:${filters.activity}`;
}

export async function listCapteurs(filters: CapteurFilters): Promise<Page<Capteur>> {
  const page = await api.call(() =>
    api.client.GET('/api/v1/capteurs/', {
      params: {
        query: {
          ordering: 'name',
          page_size: 100,
          ...(filters.q.trim() ? { q: filters.q.trim() } : {}),
          ...(filters.kind ? { kind: [filters.kind] } : {}),
          ...(filters.stage ? { stage: [filters.stage] } : {}),
          ...(filters.activity ? { activity: [filters.activity] } : {}),
        },
      },
    }),
  );
  return { results: page.results, next: page.next ?? null };
}

export function getCapteur(id: number): Promise<Capteur> {
  return api.call(() =>
    api.client.GET('/api/v1/capteurs/{capteur_id}/', { params: { path: { capteur_id: id } } }),
  );
}

export function listCodes(capteurId: number): Promise<ReferralCode[]> {
  return api.call(() =>
    api.client.GET('/api/v1/capteurs/{capteur_id}/codes/', {
      params: { path: { capteur_id: capteurId } },
    }),
  );
}

/** Issues a code (online only: the poster needs it at once). The key makes a double tap or
 * a retry after a lost answer issue one code, not two. */
export function issueCode(capteurId: number, label: string, key = newKey()): Promise<ReferralCode> {
  return api.call(() =>
    api.client.POST('/api/v1/capteurs/{capteur_id}/codes/', {
      params: { path: { capteur_id: capteurId }, header: { 'Idempotency-Key': key } },
      body: { label },
    }),
  );
}

export function capteurDraft(input: CapteurInput): Draft {
  return {
    kind: 'capteur',
    method: 'POST',
    path: '/api/v1/capteurs/',
    body: input,
    label: `Nouveau capteur : ${input.name}`,
  };
}
