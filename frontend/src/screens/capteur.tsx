/** A capteur: where it stands, its activity, its codes; issue a code, open or share its
 * poster and stickers. */
import { useEffect, useRef, useState } from 'preact/hooks';

import type { ScreenProps } from '../app';
import { Chip, Facts, Notice, NotLoaded, OfflineNote, PageTitle } from '../components/ui';
import { useApp } from '../lib/app-context';
import {
  getCapteur,
  issueCode,
  listCodes,
  type Capteur,
  type ReferralCode,
} from '../lib/api/capteurs';
import { ApiError, NetworkError } from '../lib/api/client';
import {
  capteurVisitsKey,
  listCapteurVisits,
  planDraft,
  plannedOffline,
  type Visit,
  type VisitKind,
} from '../lib/api/visits';
import { age, day, today } from '../lib/format';
import { ACTIVITY, CAPTEUR_KIND, labelOf, STAGE, VISIT_KIND, VISIT_STATUS } from '../lib/labels';
import { useResource } from '../lib/resource';
import { newKey } from '../lib/uuid';

export default function CapteurScreen({ params }: ScreenProps) {
  const id = Number(params.id);
  const capteur = useResource(`capteur:${id}`, () => getCapteur(id));
  const codes = useResource(`capteur:${id}:codes`, () => listCodes(id));
  const visits = useResource(capteurVisitsKey(id), () => listCapteurVisits(id));
  const data = capteur.data;

  if (!data) {
    return <NotLoaded title="Capteur" resource={capteur} />;
  }

  return (
    <section>
      <PageTitle sub={labelOf(CAPTEUR_KIND, data.kind)}>{data.name}</PageTitle>
      <p class="chips">
        <Chip>{labelOf(STAGE, data.stage)}</Chip>
        {data.activity && <Chip tone="oriented">{labelOf(ACTIVITY, data.activity)}</Chip>}
      </p>
      {capteur.offline && <OfflineNote savedAt={capteur.savedAt} />}
      {data.phone && (
        <div class="actions two">
          <a class="button primary" href={`tel:${data.phone}`}>
            Appeler
          </a>
          <a class="button" href={`sms:${data.phone}`}>
            SMS
          </a>
        </div>
      )}
      <div class="block">
        <Facts rows={facts(data)} />
      </div>
      <Visits
        capteur={data}
        visits={visits.data}
        offline={visits.offline}
        onPlanned={() => visits.reload()}
      />
      <Codes
        capteur={data}
        codes={codes.data}
        offline={codes.offline}
        onIssued={() => codes.reload()}
      />
    </section>
  );
}

function facts(capteur: Capteur): [string, string][] {
  const place = [capteur.address, [capteur.postal_code, capteur.city].filter(Boolean).join(' ')]
    .filter(Boolean)
    .join(', ');
  return [
    ['Adresse', place],
    ['Contact', capteur.contact_name],
    ['Téléphone', capteur.phone],
    ['E-mail', capteur.email],
    ['Référent·e', capteur.referent_name ?? ''],
    ['Visites de ses pages (30 j)', String(capteur.scans_30d)],
    ['Dernière orientation', capteur.last_referral_at ? age(capteur.last_referral_at) : 'Aucune'],
    ['Dernière visite', capteur.last_visit_on ? day(capteur.last_visit_on) : 'Aucune'],
    ['Premier contact', day(capteur.first_contact_on)],
    ['Partenariat signé', day(capteur.signed_on)],
    ['Notes', capteur.notes],
  ];
}

function Visits({
  capteur,
  visits,
  offline,
  onPlanned,
}: {
  capteur: Capteur;
  visits: Visit[] | undefined;
  offline: boolean;
  onPlanned: () => void;
}) {
  const { outbox, submit, notify } = useApp();
  const waiting = plannedOffline(outbox, capteur.id);
  // A visit planned offline left the outbox (sent, or refused): list the visits as they are.
  const queue = waiting.map((item) => `${item.key}:${item.state}`).join();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    onPlanned();
  }, [queue]);
  const [kind, setKind] = useState<VisitKind>(
    capteur.stage === 'prospect' ? 'prospection' : 'follow_up',
  );
  const [plannedOn, setPlannedOn] = useState(today);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);

  async function plan(event: Event) {
    event.preventDefault();
    setBusy(true);
    const result = await submit(planDraft(capteur, kind, plannedOn, note));
    setBusy(false);
    if (result.state !== 'failed') setNote('');
    if (result.state === 'sent') {
      notify(`Visite planifiée : ${day(plannedOn)}`);
      onPlanned();
    } else if (result.state === 'queued') {
      notify('Visite planifiée — en attente d’envoi.');
    } else {
      notify('Visite refusée par le serveur : voir « Moi ».');
    }
  }

  return (
    <div class="block">
      <h2>Visites</h2>
      {!visits && offline && <p class="muted">Visites non chargées sur ce téléphone.</p>}
      {visits && visits.length === 0 && waiting.length === 0 && (
        <p class="muted">Aucune visite pour l’instant.</p>
      )}
      <ul class="cards" aria-label="Visites">
        {waiting.map((item) => (
          <li key={item.key} class="card">
            <div class="card-body">
              <span class="card-head">
                <strong class="card-title">{item.label}</strong>
                <Chip tone={item.state === 'failed' ? 'danger' : 'pending'}>
                  {item.state === 'failed' ? 'Refusée' : 'En attente'}
                </Chip>
              </span>
            </div>
          </li>
        ))}
        {visits?.map((visit) => (
          <li key={visit.id} class="card">
            <div class="card-body">
              <span class="card-head">
                <strong class="card-title">{labelOf(VISIT_KIND, visit.kind)}</strong>
                <Chip tone={visit.status === 'done' ? 'oriented' : 'neutral'}>
                  {labelOf(VISIT_STATUS, visit.status)}
                </Chip>
              </span>
              <span class="card-meta">
                {visit.status === 'done'
                  ? `Faite le ${day(visit.done_on)}`
                  : `Prévue le ${day(visit.planned_on)}`}
                {visit.facilitator_name ? ` · ${visit.facilitator_name}` : ''}
              </span>
              {visit.note && <span class="card-meta">Objet : {visit.note}</span>}
              {visit.next_step && <span class="card-meta">Suite : {visit.next_step}</span>}
            </div>
          </li>
        ))}
      </ul>
      {capteur.stage !== 'withdrawn' && (
        <form class="form panel" onSubmit={plan} aria-label="Planifier une visite">
          <label class="field">
            <span>Type de visite</span>
            <select value={kind} onChange={(e) => setKind(e.currentTarget.value as VisitKind)}>
              {(Object.keys(VISIT_KIND) as VisitKind[]).map((value) => (
                <option key={value} value={value}>
                  {VISIT_KIND[value]}
                </option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>Date</span>
            <input
              type="date"
              required
              min={today()}
              value={plannedOn}
              onInput={(e) => setPlannedOn(e.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span>Objet de la visite (facultatif)</span>
            <textarea
              rows={2}
              maxLength={500}
              value={note}
              placeholder="Apporter des affiches, présenter le réseau…"
              onInput={(e) => setNote(e.currentTarget.value)}
            />
          </label>
          <button type="submit" class="button primary" disabled={busy || !plannedOn}>
            Planifier une visite
          </button>
        </form>
      )}
    </div>
  );
}

function Codes({
  capteur,
  codes,
  offline,
  onIssued,
}: {
  capteur: Capteur;
  codes: ReferralCode[] | undefined;
  offline: boolean;
  onIssued: () => void;
}) {
  const { online, notify } = useApp();
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  // One key per code the person means to issue: a double tap or a retry issues one code.
  const [key, setKey] = useState(newKey);
  const active = codes?.filter((code) => code.is_active) ?? [];
  const withdrawn = capteur.stage === 'withdrawn';

  async function issue(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      await issueCode(capteur.id, label.trim(), key);
      setKey(newKey());
      setLabel('');
      notify('Code émis : son affiche est prête.');
      onIssued();
    } catch (caught) {
      if (caught instanceof NetworkError) setError('Pas de réseau : le code n’a pas été émis.');
      else if (caught instanceof ApiError) setError(caught.problem.detail);
      else throw caught;
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="block">
      <h2>Codes et affiches</h2>
      {!codes && offline && <p class="muted">Codes non chargés sur ce téléphone.</p>}
      {codes && active.length === 0 && (
        <p class="muted">Aucun code actif : émettez-en un pour imprimer l’affiche du capteur.</p>
      )}
      <ul class="cards" aria-label="Codes">
        {active.map((code) => (
          <CodeCard key={code.id} code={code} />
        ))}
      </ul>
      {!withdrawn && (
        <form class="form panel" onSubmit={issue}>
          <label class="field">
            <span>Libellé du nouveau code (facultatif)</span>
            <input
              type="text"
              value={label}
              maxLength={120}
              placeholder="Vitrine, comptoir…"
              onInput={(e) => setLabel(e.currentTarget.value)}
            />
          </label>
          {!online && (
            <Notice tone="warn">Émettre un code demande du réseau (l’affiche en dépend).</Notice>
          )}
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="button" disabled={busy || !online}>
            {busy ? 'Émission…' : 'Émettre un code'}
          </button>
        </form>
      )}
    </div>
  );
}

function CodeCard({ code }: { code: ReferralCode }) {
  const { notify } = useApp();
  const canShare = typeof navigator.share === 'function';

  async function share() {
    const title = `Affiche Relais – ${code.capteur_name}`;
    try {
      const response = await fetch(code.poster_pdf, { credentials: 'same-origin' });
      const file = new File([await response.blob()], `affiche-${code.short_code}.pdf`, {
        type: 'application/pdf',
      });
      if (navigator.canShare?.({ files: [file] })) {
        await navigator.share({ title, files: [file] });
      } else {
        await navigator.share({ title, url: new URL(code.poster_pdf, location.href).href });
      }
    } catch (caught) {
      if (caught instanceof DOMException && caught.name === 'AbortError') return;
      notify('Partage impossible : ouvrez l’affiche puis partagez-la depuis le lecteur PDF.');
    }
  }

  return (
    <li class="card">
      <div class="card-body">
        <span class="card-head">
          <strong class="card-title">Code {code.short_code}</strong>
          {code.label && <Chip>{code.label}</Chip>}
        </span>
        <span class="card-meta">
          {code.scan_count} visite{code.scan_count > 1 ? 's' : ''}
          {code.last_scan_at ? ` · dernière ${age(code.last_scan_at)}` : ''}
        </span>
        <img
          class="qr"
          src={code.qr_svg}
          alt={`QR code du code ${code.short_code}`}
          width={120}
          height={120}
        />
        <div class="actions two">
          <a class="button primary" href={code.poster_pdf} target="_blank" rel="noopener">
            Affiche (PDF)
          </a>
          <a class="button" href={code.stickers_pdf} target="_blank" rel="noopener">
            Autocollants (PDF)
          </a>
        </div>
        {canShare && (
          <button type="button" class="button block" onClick={share}>
            Partager l’affiche
          </button>
        )}
      </div>
    </li>
  );
}
