/** referrals: the inbox, a referral, its timeline and orientations; the triage actions as
 * outbox drafts (sent with an Idempotency-Key, see lib/outbox.ts). */
import type { Draft } from '../outbox';
import { api, type Schemas } from './client';

export type Referral = Schemas['ReferralOutput'];
export type ReferralEvent = Schemas['ReferralEventOutput'];
export type Orientation = Schemas['OrientationOutput'];
export type Status = Schemas['ReferralStatusEnum'];
export type ClosingReason = Exclude<Schemas['ClosingReasonEnum'], ''>;
export type AttemptKind = Schemas['AttemptKindEnum'];
export type AttemptOutcome = Schemas['AttemptOutcomeEnum'];

export const OPEN_STATUSES: Status[] = ['new', 'contacted', 'met', 'oriented'];

export interface InboxFilters {
  /** One status, or every open one. */
  status: Status | 'open';
  overdue: boolean;
  /** Mine only, or the whole territory's. */
  assignedTo: 'me' | 'all';
}

export interface Page<T> {
  results: T[];
  next: string | null;
}

export function inboxKey(filters: InboxFilters): string {
  return `inbox:${filters.status}:${filters.overdue ? 'overdue' : 'any'}:${filters.assignedTo}`;
}

/** The inbox: overdue first, then by first-contact due date (the API's ordering). */
export async function listReferrals(
  filters: InboxFilters,
  cursor?: string,
): Promise<Page<Referral>> {
  const page = await api.call(() =>
    api.client.GET('/api/v1/referrals/', {
      params: {
        query: {
          status: filters.status === 'open' ? OPEN_STATUSES : [filters.status],
          assigned_to: filters.assignedTo,
          ordering: 'first_contact_due_on',
          page_size: 100,
          ...(filters.overdue ? { overdue: true } : {}),
          ...(cursor ? { cursor } : {}),
        },
      },
    }),
  );
  const results = [...page.results].sort((a, b) => Number(b.overdue) - Number(a.overdue));
  return {
    results,
    next: page.next ? (new URL(page.next).searchParams.get('cursor') ?? null) : null,
  };
}

export function getReferral(id: number): Promise<Referral> {
  return api.call(() =>
    api.client.GET('/api/v1/referrals/{referral_id}/', {
      params: { path: { referral_id: id } },
    }),
  );
}

export function listEvents(id: number): Promise<ReferralEvent[]> {
  return api.call(() =>
    api.client.GET('/api/v1/referrals/{referral_id}/events/', {
      params: { path: { referral_id: id } },
    }),
  );
}

export function listOrientations(id: number): Promise<Orientation[]> {
  return api.call(() =>
    api.client.GET('/api/v1/referrals/{referral_id}/orientations/', {
      params: { path: { referral_id: id } },
    }),
  );
}

// --- actions (outbox drafts) ---------------------------------------------------------------

const base = (referral: Referral) => `/api/v1/referrals/${referral.id}`;
const who = (referral: Referral) => referral.first_name || referral.reference;

export function attemptDraft(
  referral: Referral,
  outcome: AttemptOutcome,
  kind: AttemptKind = 'call',
): Draft {
  const body: Schemas['AttemptInputRequest'] = { kind, outcome };
  const what = outcome === 'reached' ? 'joint·e' : 'pas de réponse';
  return {
    kind: 'attempt',
    method: 'POST',
    path: `${base(referral)}/attempts/`,
    body,
    label: `Appel à ${who(referral)} : ${what}`,
    referralId: referral.id,
  };
}

export function statusDraft(
  referral: Referral,
  status: Status,
  label: string,
  closingReason?: ClosingReason,
): Draft {
  const body: Schemas['StatusInputRequest'] = {
    status,
    ...(closingReason ? { closing_reason: closingReason } : {}),
  };
  return {
    kind: 'status',
    method: 'POST',
    path: `${base(referral)}/status/`,
    body,
    label: `${who(referral)} : ${label}`,
    referralId: referral.id,
  };
}

export function noteDraft(referral: Referral, text: string): Draft {
  const body: Schemas['NoteInputRequest'] = { text };
  return {
    kind: 'note',
    method: 'POST',
    path: `${base(referral)}/notes/`,
    body,
    label: `Note sur ${who(referral)}`,
    referralId: referral.id,
  };
}

export function orientationDraft(
  referral: Referral,
  structure: { id: number; name: string },
): Draft {
  const body: Schemas['OrientInputRequest'] = { structure: structure.id };
  return {
    kind: 'orientation',
    method: 'POST',
    path: `${base(referral)}/orientations/`,
    body,
    label: `${who(referral)} orientée vers ${structure.name}`,
    referralId: referral.id,
  };
}

/** The status a draft will move the referral to, if it does. */
export function statusAfter(draft: Pick<Draft, 'kind' | 'body'>, current: Status): Status {
  if (draft.kind === 'status') return (draft.body as Schemas['StatusInputRequest']).status;
  if (draft.kind === 'orientation') return 'oriented';
  if (draft.kind === 'attempt' && current === 'new') {
    const { outcome } = draft.body as Schemas['AttemptInputRequest'];
    if (outcome === 'reached') return 'contacted';
  }
  return current;
}

// --- the facilitators' load, reassignment ----------------------------------------------------

export type FacilitatorLoad = Schemas['FacilitatorLoadOutput'];

/** The facilitators of the user's territories (or of `territory`), with their open and overdue
 * referrals and whether they are away: the load table, and whom to reassign to. */
export function listFacilitators(territory?: number): Promise<FacilitatorLoad[]> {
  return api.call(() =>
    api.client.GET('/api/v1/referrals/facilitators/', {
      params: { query: territory ? { territory } : {} },
    }),
  );
}

export function reassignDraft(referral: Referral, to: { id: number; full_name: string }): Draft {
  const body: Schemas['ReassignInputRequest'] = { assigned_to: to.id };
  return {
    kind: 'reassign',
    method: 'POST',
    path: `${base(referral)}/reassign/`,
    body,
    label: `${who(referral)} réattribuée à ${to.full_name}`,
    referralId: referral.id,
  };
}
