/** "Ma tournée": the facilitator's visits of a day in route order, each with its way there
 * (the phone's maps app) and a one-tap "Visite faite" that goes through the outbox, so it
 * also works without network. Kept for offline like the inbox. */
import { useEffect, useRef, useState } from 'preact/hooks';

import { Chip, ErrorNotice, Loading, OfflineEmpty, OfflineNote, PageTitle } from '../components/ui';
import { useApp } from '../lib/app-context';
import {
  doneDraft,
  getRound,
  roundKey,
  visitState,
  type CapteurStage,
  type Stop,
} from '../lib/api/visits';
import { day, today } from '../lib/format';
import { labelOf, STAGE, VISIT_KIND } from '../lib/labels';
import { useResource } from '../lib/resource';
import { href } from '../lib/router';

/** `date` (YYYY-MM-DD) moved by `days` calendar days. */
function shift(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return today(new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + days));
}

function km(value: number): string {
  return `${value.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} km`;
}

export default function RoundScreen() {
  const { outbox } = useApp();
  const [date, setDate] = useState(today);
  const round = useResource(roundKey(date), () => getRound(date));
  const [open, setOpen] = useState<number | null>(null);
  // What was kept may be another day's while this one loads.
  const data = round.data?.date === date ? round.data : undefined;
  const isToday = date === today();

  // A visit recorded offline left the outbox (sent, or refused): show the round as it is now.
  const waiting = outbox
    .filter((item) => item.kind === 'visit')
    .map((item) => `${item.key}:${item.state}`)
    .join();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    round.reload();
  }, [waiting]);

  return (
    <section>
      <PageTitle sub={isToday ? `Aujourd’hui, ${day(date)}` : day(date)}>Ma tournée</PageTitle>
      <div class="actions three" role="group" aria-label="Jour de la tournée">
        <button type="button" class="button" onClick={() => setDate(shift(date, -1))}>
          Veille
        </button>
        <button type="button" class="button" disabled={isToday} onClick={() => setDate(today())}>
          Aujourd’hui
        </button>
        <button type="button" class="button" onClick={() => setDate(shift(date, 1))}>
          Lendemain
        </button>
      </div>
      {round.offline && (data ? <OfflineNote savedAt={round.savedAt} /> : <OfflineEmpty />)}
      {round.error && <ErrorNotice error={round.error} />}
      {!data && round.loading && <Loading />}
      {data && (
        <>
          <p class="muted">
            {data.stops.length === 0
              ? 'Aucune visite prévue ce jour-là.'
              : `${data.stops.length} étape${data.stops.length > 1 ? 's' : ''}` +
                (data.total_km ? ` · ${km(data.total_km)} à vol d’oiseau` : '')}
          </p>
          <ol class="cards stops" aria-label="Étapes de la tournée">
            {data.stops.map((stop, index) => (
              <StopCard
                key={stop.visit}
                stop={stop}
                number={index + 1}
                date={date}
                open={open === stop.visit}
                onOpen={() => setOpen(open === stop.visit ? null : stop.visit)}
                onDone={() => setOpen(null)}
              />
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function StopCard({
  stop,
  number,
  date,
  open,
  onOpen,
  onDone,
}: {
  stop: Stop;
  number: number;
  date: string;
  open: boolean;
  onOpen: () => void;
  onDone: () => void;
}) {
  const { outbox } = useApp();
  const state = visitState(outbox, stop.visit);
  const place = [stop.capteur_address, stop.capteur_city].filter(Boolean).join(', ');
  const placed = stop.latitude !== null && stop.longitude !== null;
  return (
    <li class="card stop">
      <div class="card-body">
        <span class="card-head">
          <strong class="card-title">
            {number}.{' '}
            <a class="link" href={href('capteur', { id: stop.capteur })}>
              {stop.capteur_name}
            </a>
          </strong>
          <Chip>{labelOf(VISIT_KIND, stop.kind)}</Chip>
        </span>
        <span class="card-meta">{place || 'Adresse inconnue'}</span>
        <span class="card-meta">
          {!placed
            ? 'Sans coordonnées : à placer soi-même'
            : stop.distance_from_previous_km !== null
              ? `${km(stop.distance_from_previous_km)} depuis l’étape précédente`
              : 'Première étape'}
        </span>
        <p class="chips">
          {stop.overdue && <Chip tone="warn">En retard : prévue le {day(stop.planned_on)}</Chip>}
          {state === 'pending' && <Chip tone="pending">Faite — en attente d’envoi</Chip>}
          {state === 'failed' && <Chip tone="danger">Refusée : voir « Moi »</Chip>}
        </p>
        {stop.note && <p class="advice">Objet : {stop.note}</p>}
        {stop.previous_next_step && (
          <p class="advice">Suite prévue à la dernière visite : {stop.previous_next_step}</p>
        )}
        <div class="actions two">
          {stop.maps_url ? (
            <a class="button" href={stop.maps_url}>
              Ouvrir dans Plans
            </a>
          ) : (
            <span />
          )}
          {state === undefined && (
            <button type="button" class="button primary" aria-expanded={open} onClick={onOpen}>
              Visite faite
            </button>
          )}
        </div>
        {open && state === undefined && <DoneForm stop={stop} date={date} onDone={onDone} />}
      </div>
    </li>
  );
}

function DoneForm({ stop, date, onDone }: { stop: Stop; date: string; onDone: () => void }) {
  const { submit, notify } = useApp();
  const [outcome, setOutcome] = useState('');
  const [nextStep, setNextStep] = useState('');
  const [stage, setStage] = useState<CapteurStage | ''>('');
  const [busy, setBusy] = useState(false);
  // A visit of a later day can only be recorded once made: the phone's today, not the future.
  const doneOn = date < today() ? date : today();

  async function save(event: Event) {
    event.preventDefault();
    setBusy(true);
    const result = await submit(
      doneDraft(stop, { doneOn, outcome, nextStep, stage: stage || undefined }),
    );
    setBusy(false);
    if (result.state === 'sent') notify(`Visite enregistrée : ${stop.capteur_name}.`);
    else if (result.state === 'queued') notify('Visite enregistrée — en attente d’envoi.');
    else notify('Visite refusée par le serveur : voir « Moi ».');
    onDone();
  }

  return (
    <form class="form panel" onSubmit={save} aria-label={`Visite faite chez ${stop.capteur_name}`}>
      <label class="field">
        <span>Ce qui s’est dit</span>
        <textarea
          rows={3}
          maxLength={2000}
          value={outcome}
          onInput={(e) => setOutcome(e.currentTarget.value)}
        />
      </label>
      <label class="field">
        <span>Suite à donner</span>
        <input
          type="text"
          maxLength={500}
          value={nextStep}
          placeholder="Rapporter des cartes, repasser dans un mois…"
          onInput={(e) => setNextStep(e.currentTarget.value)}
        />
      </label>
      <label class="field">
        <span>Étape du capteur (facultatif)</span>
        <select value={stage} onChange={(e) => setStage(e.currentTarget.value as CapteurStage)}>
          <option value="">Inchangée</option>
          {(Object.keys(STAGE) as CapteurStage[]).map((value) => (
            <option key={value} value={value}>
              {STAGE[value]}
            </option>
          ))}
        </select>
      </label>
      <p class="muted">Notée faite le {day(doneOn)}.</p>
      <button type="submit" class="button primary" disabled={busy}>
        Enregistrer la visite
      </button>
    </form>
  );
}
