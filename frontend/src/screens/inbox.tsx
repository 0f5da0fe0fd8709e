/** The inbox: my open referrals, overdue first, with what to do next for each. */
import { useEffect, useState } from 'preact/hooks';

import { Chip, ErrorNotice, Loading, OfflineEmpty, OfflineNote, PageTitle } from '../components/ui';
import { facilitatorTerritories } from '../lib/api/accounts';
import { remember } from '../lib/cache';
import { useApp } from '../lib/app-context';
import {
  inboxKey,
  listReferrals,
  statusAfter,
  type InboxFilters,
  type Referral,
  type Status,
} from '../lib/api/referrals';
import { age, day } from '../lib/format';
import { labelOf, listOf, NEED, STATUS, STATUS_TONE } from '../lib/labels';
import { href } from '../lib/router';
import { useResource } from '../lib/resource';

const FILTERS_KEY = 'relais:inbox-filters';
const DEFAULT_FILTERS: InboxFilters = { status: 'open', overdue: false, assignedTo: 'me' };

function savedFilters(defaults: InboxFilters): InboxFilters {
  try {
    return { ...defaults, ...JSON.parse(sessionStorage.getItem(FILTERS_KEY) ?? '{}') };
  } catch {
    return defaults;
  }
}

export default function Inbox() {
  const { me, outbox } = useApp();
  // Someone who is no facilitator anywhere has no referrals of their own: the territory's.
  const [filters, setFilters] = useState<InboxFilters>(() =>
    savedFilters({
      ...DEFAULT_FILTERS,
      assignedTo: facilitatorTerritories(me).length ? 'me' : 'all',
    }),
  );
  const inbox = useResource(inboxKey(filters), () => listReferrals(filters));

  useEffect(() => sessionStorage.setItem(FILTERS_KEY, JSON.stringify(filters)), [filters]);

  // Each row is the referral as its own page shows it: keep them, so they open offline.
  useEffect(() => {
    if (inbox.data && !inbox.offline && !inbox.loading) {
      for (const referral of inbox.data.results) {
        void remember(`referral:${referral.id}`, referral).catch(() => undefined);
      }
    }
  }, [inbox.data, inbox.offline, inbox.loading]);

  const change = (patch: Partial<InboxFilters>) => setFilters({ ...filters, ...patch });
  const rows = inbox.data?.results ?? [];

  return (
    <section>
      <PageTitle>
        {filters.assignedTo === 'me' ? 'Mes orientations' : 'Orientations du territoire'}
      </PageTitle>

      <div class="toolbar">
        <div class="segmented" role="group" aria-label="Quelles orientations">
          <button
            type="button"
            aria-pressed={filters.assignedTo === 'me'}
            onClick={() => change({ assignedTo: 'me' })}
          >
            Les miennes
          </button>
          <button
            type="button"
            aria-pressed={filters.assignedTo === 'all'}
            onClick={() => change({ assignedTo: 'all' })}
          >
            Tout le territoire
          </button>
        </div>
        <div class="filters">
          <label class="field compact">
            <span>Statut</span>
            <select
              value={filters.status}
              onChange={(e) => change({ status: e.currentTarget.value as InboxFilters['status'] })}
            >
              <option value="open">Toutes les ouvertes</option>
              {(['new', 'contacted', 'met', 'oriented', 'closed'] as Status[]).map((status) => (
                <option key={status} value={status}>
                  {STATUS[status]}
                </option>
              ))}
            </select>
          </label>
          <label class="check">
            <input
              type="checkbox"
              checked={filters.overdue}
              onChange={(e) => change({ overdue: e.currentTarget.checked })}
            />
            <span>En retard seulement</span>
          </label>
        </div>
        <button
          type="button"
          class="button"
          onClick={inbox.reload}
          disabled={inbox.loading}
          aria-label="Actualiser la liste"
        >
          {inbox.loading ? 'Actualisation…' : 'Actualiser'}
        </button>
      </div>

      {inbox.offline && (inbox.data ? <OfflineNote savedAt={inbox.savedAt} /> : <OfflineEmpty />)}
      {inbox.error && <ErrorNotice error={inbox.error} />}
      {inbox.loading && !inbox.data && <Loading />}

      {inbox.data && rows.length === 0 && (
        <div class="empty">
          <p>
            <strong>
              {filters.overdue ? 'Aucune orientation en retard.' : 'Aucune orientation ici.'}
            </strong>
          </p>
          <p>
            Les nouvelles orientations arrivent ici, et par SMS sur votre téléphone. En attendant :
            passez voir un capteur dormant, ou regardez{' '}
            {filters.assignedTo === 'me'
              ? 'les orientations de tout le territoire'
              : 'les autres statuts'}
            .
          </p>
          {filters.assignedTo === 'me' && (
            <button type="button" class="button" onClick={() => change({ assignedTo: 'all' })}>
              Voir tout le territoire
            </button>
          )}
        </div>
      )}

      <ul class="cards" aria-label="Orientations">
        {rows.map((referral) => (
          <InboxRow
            key={referral.id}
            referral={referral}
            pending={outbox.filter((item) => item.referralId === referral.id)}
          />
        ))}
      </ul>
    </section>
  );
}

function InboxRow({
  referral,
  pending,
}: {
  referral: Referral;
  pending: ReturnType<typeof useApp>['outbox'];
}) {
  const status = pending.reduce<Status>(
    (current, item) => statusAfter(item, current),
    referral.status,
  );
  const needs = listOf(referral.needs);
  return (
    <li class="card">
      <a class="card-link" href={href('referral', { id: referral.id })}>
        <span class="card-head">
          <strong class="card-title">{referral.first_name || referral.reference}</strong>
          <Chip tone={STATUS_TONE[status]}>{STATUS[status]}</Chip>
        </span>
        <span class="card-meta">
          {referral.overdue && <Chip tone="danger">En retard</Chip>}
          <span>Reçue {age(referral.created_at)}</span>
          {referral.first_contact_due_on && referral.status === 'new' && (
            <span>· à appeler avant le {day(referral.first_contact_due_on)}</span>
          )}
        </span>
        <span class="card-meta">
          {referral.capteur_name ? `Via ${referral.capteur_name}` : 'Sans capteur'}
          {needs.length > 0 && ` · ${needs.map((need) => labelOf(NEED, need)).join(', ')}`}
        </span>
        {pending.length > 0 && (
          <span class="card-meta">
            <Chip tone="pending">
              {pending.length} action{pending.length > 1 ? 's' : ''} en attente
            </Chip>
          </span>
        )}
      </a>
    </li>
  );
}
