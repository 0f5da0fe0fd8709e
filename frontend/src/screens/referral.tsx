/**
 * A referral: call or text the person, log the call's outcome in one tap, move it along the
 * lifecycle (only the moves the server allows), orient to a structure, write a note, read
 * the timeline. Every action goes through the outbox: offline it waits, shown as pending.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

import {
  Chip,
  ErrorNotice,
  Facts,
  Loading,
  Notice,
  NotLoaded,
  OfflineEmpty,
  OfflineNote,
  PageTitle,
} from '../components/ui';
import type { ScreenProps } from '../app';
import { useApp, type SubmitResult } from '../lib/app-context';
import {
  attemptDraft,
  getReferral,
  listEvents,
  listFacilitators,
  noteDraft,
  orientationDraft,
  reassignDraft,
  statusAfter,
  statusDraft,
  type ClosingReason,
  type FacilitatorLoad,
  type Referral,
  type ReferralEvent,
  type Status,
} from '../lib/api/referrals';
import { searchStructures, structuresKey, type Need, type Structure } from '../lib/api/structures';
import { age, dateTime, day } from '../lib/format';
import {
  ATTEMPT_KIND,
  ATTEMPT_OUTCOME,
  CALL_MOMENT,
  CLOSING_REASON,
  EVENT,
  labelOf,
  listOf,
  MOVE_TO,
  NEED,
  ORIENTATION_OUTCOME,
  STATUS,
  STATUS_TONE,
  STRUCTURE_KIND,
} from '../lib/labels';
import type { Draft, OutboxItem } from '../lib/outbox';
import { useResource } from '../lib/resource';
import { nextStatuses } from '../lib/workflow';

export default function ReferralScreen({ params }: ScreenProps) {
  const id = Number(params.id);
  const { me, outbox, submit, notify } = useApp();
  const referral = useResource(`referral:${id}`, () => getReferral(id));
  const events = useResource(`referral:${id}:events`, () => listEvents(id));
  const [panel, setPanel] = useState<'close' | 'orient' | null>(null);
  const mine = outbox.filter((item) => item.referralId === id);

  // An action of this referral left the outbox (sent when the network came back): show the
  // referral and its timeline as the server has them now.
  const waitingBefore = useRef(mine.length);
  const { reload: reloadReferral } = referral;
  const { reload: reloadEvents } = events;
  useEffect(() => {
    if (mine.length < waitingBefore.current) {
      reloadReferral();
      reloadEvents();
    }
    waitingBefore.current = mine.length;
  }, [mine.length, reloadReferral, reloadEvents]);

  const data = referral.data;
  if (!data) {
    return <NotLoaded title="Orientation" resource={referral} />;
  }

  const pending = mine.filter((item) => item.state === 'pending');
  // The status as it will be once what waits is sent: the next moves are offered from it.
  const status = pending.reduce<Status>((current, item) => statusAfter(item, current), data.status);
  const moves = nextStatuses(status);

  async function act(draft: Draft, done: string) {
    const result: SubmitResult = await submit(draft);
    if (result.state === 'sent') {
      // The item left the outbox: the effect above shows the referral as it now is.
      notify(done);
    } else if (result.state === 'queued') {
      notify(`${done} — en attente d’envoi (hors connexion).`);
    } else {
      notify('Action refusée par le serveur : voir le détail ci-dessous.');
      referral.reload();
    }
  }

  const phone = data.phone;
  const needs = listOf(data.needs);
  const moments = listOf(data.call_moments);

  return (
    <section class="referral">
      <PageTitle sub={`${data.reference} · reçue ${age(data.created_at)}`}>
        {data.first_name || data.reference}
      </PageTitle>
      <p class="chips">
        <Chip tone={STATUS_TONE[status]}>
          {STATUS[status]}
          {status !== data.status ? ' (en attente d’envoi)' : ''}
        </Chip>
        {data.overdue && <Chip tone="danger">En retard</Chip>}
        {data.possible_duplicate_of_reference && (
          <Chip tone="warn">Doublon possible de {data.possible_duplicate_of_reference}</Chip>
        )}
      </p>
      {referral.offline && <OfflineNote savedAt={referral.savedAt} />}

      {phone && (
        <div class="actions two">
          <a class="button primary" href={`tel:${phone}`}>
            Appeler
          </a>
          <a class="button" href={`sms:${phone}`}>
            SMS
          </a>
        </div>
      )}
      {!phone && data.email && (
        <div class="actions">
          <a class="button" href={`mailto:${data.email}`}>
            Écrire un e-mail
          </a>
        </div>
      )}

      {status !== 'closed' && (
        <div class="block">
          <h2>Après l’appel</h2>
          <div class="actions two">
            <button
              type="button"
              class="button"
              onClick={() => act(attemptDraft(data, 'no_answer'), 'Pas de réponse noté')}
            >
              Pas de réponse
            </button>
            <button
              type="button"
              class="button"
              onClick={() => act(attemptDraft(data, 'reached'), 'Contact noté')}
            >
              Joint·e
            </button>
          </div>
          {data.suggest_close_unreachable && (
            <Notice tone="warn">
              {data.unanswered_attempts} appels sans réponse d’affilée : vous pouvez clôturer comme
              « injoignable » si d’autres moyens ont échoué.
            </Notice>
          )}
        </div>
      )}

      {moves.length > 0 && (
        <div class="block">
          <h2>Faire avancer</h2>
          <div class="actions">
            {moves.map((to) => (
              <button
                key={to}
                type="button"
                class={to === 'closed' ? 'button danger-outline' : 'button'}
                aria-expanded={
                  to === 'closed'
                    ? panel === 'close'
                    : to === 'oriented'
                      ? panel === 'orient'
                      : undefined
                }
                onClick={() => {
                  if (to === 'closed') setPanel(panel === 'close' ? null : 'close');
                  else if (to === 'oriented') setPanel(panel === 'orient' ? null : 'orient');
                  else
                    void act(
                      statusDraft(data, to, STATUS[to].toLowerCase()),
                      `Passée à « ${STATUS[to].toLowerCase()} »`,
                    );
                }}
              >
                {MOVE_TO[to]}
              </button>
            ))}
          </div>
          {panel === 'close' && (
            <CloseForm
              onClose={(reason) => {
                setPanel(null);
                void act(
                  statusDraft(data, 'closed', `clôturée (${CLOSING_REASON[reason]})`, reason),
                  'Orientation clôturée',
                );
              }}
            />
          )}
        </div>
      )}
      {status === 'oriented' && panel !== 'orient' && (
        <div class="block">
          <button type="button" class="button" onClick={() => setPanel('orient')}>
            Orienter aussi vers une autre structure…
          </button>
        </div>
      )}
      {panel === 'orient' && (
        <OrientPicker
          needs={needs as Need[]}
          onPick={(structure) => {
            setPanel(null);
            void act(orientationDraft(data, structure), `Orientée vers ${structure.name}`);
          }}
        />
      )}

      <div class="block">
        <h2>La personne</h2>
        <Facts
          rows={[
            [
              'Téléphone',
              phone && data.sms_capable_label ? `${phone} (${data.sms_capable_label})` : phone,
            ],
            ['E-mail', data.email],
            ['Besoins', needs.map((need) => labelOf(NEED, need)).join(', ')],
            ['À appeler', moments.map((moment) => labelOf(CALL_MOMENT, moment)).join(', ')],
            ['Son message', data.note],
            ['Capteur', data.capteur_name],
            ['Premier contact avant le', day(data.first_contact_due_on)],
            ['Suivie par', data.assigned_to_name ?? 'Personne'],
            [
              'Accusé de réception',
              data.acknowledgment_sms?.status === 'failed'
                ? `SMS non parti : ${data.acknowledgment_sms.last_error}`
                : '',
            ],
          ]}
        />
      </div>

      {status !== 'closed' &&
        me.memberships.some(
          (m) => m.territory_id === data.territory && m.role === 'coordinator',
        ) && (
          <Reassign
            referral={data}
            onPick={(to) => act(reassignDraft(data, to), `Réattribuée à ${to.full_name}`)}
          />
        )}

      <NoteForm onSave={(text) => act(noteDraft(data, text), 'Note enregistrée')} />

      <Timeline events={events.data} offline={events.offline} waiting={mine} />
    </section>
  );
}

/** A coordinator gives the referral to another facilitator of its territory, seeing each
 * one's load and absence (GET /api/v1/referrals/facilitators/). */
function Reassign({
  referral,
  onPick,
}: {
  referral: Referral;
  onPick: (to: FacilitatorLoad) => Promise<void>;
}) {
  const facilitators = useResource(`facilitators:${referral.territory}`, () =>
    listFacilitators(referral.territory),
  );
  const [chosen, setChosen] = useState('');
  const others = (facilitators.data ?? []).filter((f) => f.id !== referral.assigned_to);
  const target = others.find((f) => String(f.id) === chosen);
  return (
    <form
      class="block form"
      onSubmit={(event) => {
        event.preventDefault();
        if (target) void onPick(target).then(() => setChosen(''));
      }}
    >
      <h2>Réattribuer</h2>
      {facilitators.offline && !facilitators.data && <OfflineEmpty />}
      {facilitators.error && <ErrorNotice error={facilitators.error} />}
      <label class="field">
        <span>Confier à</span>
        <select value={chosen} onChange={(event) => setChosen(event.currentTarget.value)}>
          <option value="">Choisir un facilitateur…</option>
          {others.map((f) => (
            <option key={f.id} value={f.id}>
              {f.full_name} — {f.open_referrals} ouverte(s)
              {f.overdue ? `, ${f.overdue} en retard` : ''}
              {f.available ? '' : ` (absent·e jusqu’au ${day(f.unavailable_until)})`}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" class="button" disabled={!target}>
        Réattribuer
      </button>
    </form>
  );
}

function CloseForm({ onClose }: { onClose: (reason: ClosingReason) => void }) {
  const [reason, setReason] = useState<ClosingReason | ''>('');
  return (
    <form
      class="form panel"
      onSubmit={(event) => {
        event.preventDefault();
        if (reason) onClose(reason);
      }}
    >
      <label class="field">
        <span>Motif de clôture</span>
        <select
          required
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value as ClosingReason)}
        >
          <option value="">Choisir…</option>
          {(Object.keys(CLOSING_REASON) as ClosingReason[]).map((value) => (
            <option key={value} value={value}>
              {CLOSING_REASON[value]}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" class="button danger" disabled={!reason}>
        Clôturer l’orientation
      </button>
    </form>
  );
}

function OrientPicker({ needs, onPick }: { needs: Need[]; onPick: (s: Structure) => void }) {
  const [need, setNeed] = useState<Need | ''>(needs[0] ?? '');
  const [town, setTown] = useState('');
  const [query, setQuery] = useState({ need, town });
  const found = useResource(structuresKey(query.need, query.town), () =>
    searchStructures(query.need, query.town),
  );
  return (
    <div class="panel">
      <form
        class="form"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setQuery({ need, town });
        }}
      >
        <label class="field">
          <span>Besoin</span>
          <select value={need} onChange={(e) => setNeed(e.currentTarget.value as Need | '')}>
            <option value="">Tous</option>
            {(Object.keys(NEED) as Need[]).map((value) => (
              <option key={value} value={value}>
                {NEED[value]}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Commune ou nom</span>
          <input type="search" value={town} onInput={(e) => setTown(e.currentTarget.value)} />
        </label>
        <button type="submit" class="button">
          Chercher une structure
        </button>
      </form>
      {found.loading && !found.data && <Loading />}
      {found.offline && !found.data && <OfflineEmpty />}
      {found.data && found.data.length === 0 && (
        <p class="muted">Aucune structure active pour ce besoin ici : élargissez la recherche.</p>
      )}
      <ul class="cards" aria-label="Structures">
        {found.data?.map((structure) => (
          <li key={structure.id} class="card">
            <div class="card-body">
              <strong class="card-title">{structure.name}</strong>
              <span class="card-meta">
                {labelOf(STRUCTURE_KIND, structure.kind)}
                {structure.city && ` · ${structure.city}`}
              </span>
              <button type="button" class="button primary" onClick={() => onPick(structure)}>
                Orienter ici
              </button>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

function NoteForm({ onSave }: { onSave: (text: string) => Promise<void> }) {
  const [text, setText] = useState('');
  return (
    <form
      class="form block"
      onSubmit={async (event) => {
        event.preventDefault();
        const trimmed = text.trim();
        if (!trimmed) return;
        setText('');
        await onSave(trimmed);
      }}
    >
      <label class="field">
        <span>Ajouter une note</span>
        <textarea
          rows={3}
          maxLength={2000}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          placeholder="Ce qui a été dit, ce qui est prévu…"
        />
      </label>
      <button type="submit" class="button" disabled={!text.trim()}>
        Enregistrer la note
      </button>
    </form>
  );
}

function describe(event: ReferralEvent): string {
  const payload = (event.payload ?? {}) as Record<string, unknown>;
  switch (event.kind) {
    case 'status_changed':
      return `${labelOf(STATUS, payload.from)} → ${labelOf(STATUS, payload.to)}${
        payload.reason ? ` (${labelOf(CLOSING_REASON, payload.reason)})` : ''
      }`;
    case 'contact_attempt':
      return `${labelOf(ATTEMPT_KIND, payload.kind)} : ${labelOf(ATTEMPT_OUTCOME, payload.outcome)}`;
    case 'note':
      return typeof payload.text === 'string' ? payload.text : '';
    case 'oriented':
    case 'orientation_updated':
      return payload.outcome ? labelOf(ORIENTATION_OUTCOME, payload.outcome) : '';
    default:
      return '';
  }
}

function Timeline({
  events,
  offline,
  waiting,
}: {
  events: ReferralEvent[] | undefined;
  offline: boolean;
  waiting: OutboxItem[];
}) {
  return (
    <div class="block">
      <h2>Historique</h2>
      {!events && offline && (
        <p class="muted">Historique non chargé sur ce téléphone : il s’affichera avec le réseau.</p>
      )}
      <ol class="timeline">
        {events?.map((event) => (
          <li key={event.id}>
            <span class="timeline-when">{dateTime(event.at)}</span>
            <strong>{labelOf(EVENT, event.kind)}</strong>
            {describe(event) && <span class="timeline-what">{describe(event)}</span>}
            {event.actor_name && <span class="muted"> — {event.actor_name}</span>}
          </li>
        ))}
        {waiting.map((item) => (
          <li
            key={item.key}
            class={item.state === 'failed' ? 'timeline-failed' : 'timeline-pending'}
          >
            <span class="timeline-when">{dateTime(item.createdAt)}</span>
            <strong>{item.label}</strong>
            {item.kind === 'note' && (
              <span class="timeline-what">{(item.body as { text?: string }).text}</span>
            )}
            <Chip tone={item.state === 'failed' ? 'danger' : 'pending'}>
              {item.state === 'failed' ? 'Refusée' : 'En attente d’envoi'}
            </Chip>
            {item.advice && <span class="timeline-what">{item.advice}</span>}
          </li>
        ))}
      </ol>
    </div>
  );
}

export type { Referral };
