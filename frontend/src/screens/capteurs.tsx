/** The capteurs of my territories: search by name or town, filter by kind, stage, activity. */
import { useEffect, useState } from 'preact/hooks';

import { Chip, ErrorNotice, Loading, OfflineEmpty, OfflineNote, PageTitle } from '../components/ui';
import { useApp } from '../lib/app-context';
import {
  capteursKey,
  listCapteurs,
  type Activity,
  type CapteurFilters,
  type CapteurKind,
  type Stage,
} from '../lib/api/capteurs';
import { remember } from '../lib/cache';
import { age } from '../lib/format';
import { ACTIVITY, CAPTEUR_KIND, labelOf, STAGE } from '../lib/labels';
import { href } from '../lib/router';
import { useResource } from '../lib/resource';

const EMPTY: CapteurFilters = { q: '', kind: '', stage: '', activity: '' };
const FILTERS_KEY = 'relais:capteur-filters';

export const ACTIVITY_TONE: Record<Activity, string> = {
  new: 'new',
  active: 'oriented',
  dormant: 'warn',
};

export default function Capteurs() {
  const { outbox } = useApp();
  const [filters, setFilters] = useState<CapteurFilters>(() => {
    try {
      return { ...EMPTY, ...JSON.parse(sessionStorage.getItem(FILTERS_KEY) ?? '{}') };
    } catch {
      return EMPTY;
    }
  });
  const [q, setQ] = useState(filters.q);
  const capteurs = useResource(capteursKey(filters), () => listCapteurs(filters));
  const waiting = outbox.filter((item) => item.kind === 'capteur');

  useEffect(() => sessionStorage.setItem(FILTERS_KEY, JSON.stringify(filters)), [filters]);
  useEffect(() => {
    if (capteurs.data && !capteurs.offline && !capteurs.loading) {
      for (const capteur of capteurs.data.results) {
        void remember(`capteur:${capteur.id}`, capteur).catch(() => undefined);
      }
    }
  }, [capteurs.data, capteurs.offline, capteurs.loading]);

  const rows = capteurs.data?.results ?? [];
  return (
    <section>
      <PageTitle>Capteurs</PageTitle>
      <a class="button primary block" href={href('capteurNew')}>
        Nouveau capteur
      </a>
      <form
        class="form toolbar"
        role="search"
        onSubmit={(event) => {
          event.preventDefault();
          setFilters({ ...filters, q });
        }}
      >
        <label class="field">
          <span>Nom, adresse ou commune</span>
          <input type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </label>
        <div class="filters three">
          <label class="field compact">
            <span>Type</span>
            <select
              value={filters.kind}
              onChange={(e) =>
                setFilters({ ...filters, kind: e.currentTarget.value as CapteurKind | '' })
              }
            >
              <option value="">Tous</option>
              {(Object.keys(CAPTEUR_KIND) as CapteurKind[]).map((kind) => (
                <option key={kind} value={kind}>
                  {CAPTEUR_KIND[kind]}
                </option>
              ))}
            </select>
          </label>
          <label class="field compact">
            <span>Étape</span>
            <select
              value={filters.stage}
              onChange={(e) =>
                setFilters({ ...filters, stage: e.currentTarget.value as Stage | '' })
              }
            >
              <option value="">Toutes</option>
              {(Object.keys(STAGE) as Stage[]).map((stage) => (
                <option key={stage} value={stage}>
                  {STAGE[stage]}
                </option>
              ))}
            </select>
          </label>
          <label class="field compact">
            <span>Activité</span>
            <select
              value={filters.activity}
              onChange={(e) =>
                setFilters({ ...filters, activity: e.currentTarget.value as Activity | '' })
              }
            >
              <option value="">Toutes</option>
              {(Object.keys(ACTIVITY) as Activity[]).map((activity) => (
                <option key={activity} value={activity}>
                  {ACTIVITY[activity]}
                </option>
              ))}
            </select>
          </label>
        </div>
        <button type="submit" class="button">
          Chercher
        </button>
      </form>

      {capteurs.offline &&
        (capteurs.data ? <OfflineNote savedAt={capteurs.savedAt} /> : <OfflineEmpty />)}
      {capteurs.error && <ErrorNotice error={capteurs.error} />}
      {capteurs.loading && !capteurs.data && <Loading />}

      {waiting.length > 0 && (
        <ul class="cards" aria-label="Capteurs en attente d’envoi">
          {waiting.map((item) => (
            <li key={item.key} class="card">
              <div class="card-body">
                <strong class="card-title">{(item.body as { name?: string }).name}</strong>
                <Chip tone={item.state === 'failed' ? 'danger' : 'pending'}>
                  {item.state === 'failed' ? 'Refusé : voir « Moi »' : 'En attente d’envoi'}
                </Chip>
              </div>
            </li>
          ))}
        </ul>
      )}

      {capteurs.data && rows.length === 0 && (
        <div class="empty">
          <p>
            <strong>Aucun capteur ne correspond.</strong>
          </p>
          <p>Changez la recherche ou les filtres, ou inscrivez un nouveau capteur.</p>
        </div>
      )}
      <ul class="cards" aria-label="Capteurs">
        {rows.map((capteur) => (
          <li key={capteur.id} class="card">
            <a class="card-link" href={href('capteur', { id: capteur.id })}>
              <span class="card-head">
                <strong class="card-title">{capteur.name}</strong>
                <Chip>{labelOf(STAGE, capteur.stage)}</Chip>
              </span>
              <span class="card-meta">
                {labelOf(CAPTEUR_KIND, capteur.kind)}
                {capteur.city && ` · ${capteur.city}`}
              </span>
              <span class="card-meta">
                {capteur.activity && (
                  <Chip tone={ACTIVITY_TONE[capteur.activity]}>
                    {labelOf(ACTIVITY, capteur.activity)}
                  </Chip>
                )}
                <span>
                  {capteur.last_referral_at
                    ? `Dernière orientation ${age(capteur.last_referral_at)}`
                    : 'Aucune orientation encore'}
                </span>
              </span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
