/**
 * "Le réseau", the coordinator's screen (laptop first, usable on a phone): a period, the KPI
 * tiles, referrals per week, the first-contact delay, the funnel with closing reasons,
 * results by kind of capteur, capteurs by activity, top and silent capteurs, visits, the
 * facilitators' load, the funder exports and the map. A lazy chunk (with its charts and CSS),
 * the map a further one (Leaflet): a facilitator never downloads either.
 */
import './reseau.css';

import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';

import { ShareBars, WeekBars } from '../components/charts';
import type { MapTiles } from '../components/capteur-map';
import { ErrorNotice, Loading, Notice, OfflineEmpty, PageTitle } from '../components/ui';
import { useApp } from '../lib/app-context';
import * as dashboard from '../lib/api/dashboard';
import { listFacilitators } from '../lib/api/referrals';
import {
  delay,
  monthsOf,
  percent,
  periodLabel,
  PRESETS,
  presetPeriod,
  type Period,
  type PresetName,
} from '../lib/charts';
import { day } from '../lib/format';
import { CAPTEUR_KIND, labelOf } from '../lib/labels';
import { useResource, type Resource } from '../lib/resource';
import { href } from '../lib/router';

type MapComponent = ComponentType<{ data: dashboard.CapteurMap; tiles: MapTiles }>;

export default function ReseauScreen() {
  const { me } = useApp();
  const coordinated = me.memberships.filter((m) => m.role === 'coordinator');
  const [preset, setPreset] = useState<PresetName | 'custom'>('weeks12');
  const [period, setPeriod] = useState<Period>(() => presetPeriod('weeks12', new Date()));
  /** A typed date for one end of the period makes it a custom one (an emptied field: kept). */
  const setEnd = (end: 'from' | 'to') => (event: { currentTarget: HTMLInputElement }) => {
    const value = event.currentTarget.value;
    if (value) {
      setPreset('custom');
      setPeriod({ ...period, [end]: value });
    }
  };
  const [territory, setTerritory] = useState<number | undefined>(
    coordinated.length === 1 ? coordinated[0]?.territory_id : undefined,
  );
  const query = { ...period, ...(territory ? { territory } : {}) };
  const key = `reseau:${period.from}:${period.to}:${territory ?? 'all'}`;

  const summary = useResource(`${key}:summary`, () => dashboard.summary(query));
  const weeks = useResource(`${key}:weeks`, () => dashboard.referralsPerWeek(query));
  const funnel = useResource(`${key}:funnel`, () => dashboard.funnel(query));
  const kinds = useResource(`${key}:kinds`, () => dashboard.byCapteurKind(query));
  const top = useResource(`${key}:top`, () => dashboard.topCapteurs(query));
  const silent = useResource(`reseau:${territory ?? 'all'}:silent`, () =>
    dashboard.silentCapteurs(territory),
  );
  const load = useResource(`reseau:${territory ?? 'all'}:facilitators`, () =>
    listFacilitators(territory),
  );

  if (!coordinated.length) {
    return (
      <section>
        <PageTitle>Le réseau</PageTitle>
        <Notice>Cette page est celle des coordinateurs de territoire.</Notice>
      </section>
    );
  }

  const months = monthsOf(period);
  return (
    <section class="reseau">
      <PageTitle sub={periodLabel(period)}>Le réseau</PageTitle>

      <form class="period" aria-label="Période" onSubmit={(event) => event.preventDefault()}>
        <div class="segmented period-presets">
          {PRESETS.map((p) => (
            <button
              key={p.name}
              type="button"
              aria-pressed={preset === p.name}
              onClick={() => {
                setPreset(p.name);
                setPeriod(presetPeriod(p.name, new Date()));
              }}
            >
              {p.label}
            </button>
          ))}
        </div>
        <div class="period-custom">
          <label class="field compact">
            <span>Du</span>
            <input type="date" value={period.from} max={period.to} onChange={setEnd('from')} />
          </label>
          <label class="field compact">
            <span>Au</span>
            <input type="date" value={period.to} min={period.from} onChange={setEnd('to')} />
          </label>
          {coordinated.length > 1 && (
            <label class="field compact">
              <span>Territoire</span>
              <select
                value={territory ?? ''}
                onChange={(event) => {
                  const value = event.currentTarget.value;
                  setTerritory(value ? Number(value) : undefined);
                }}
              >
                <option value="">Tous mes territoires</option>
                {coordinated.map((m) => (
                  <option key={m.territory_id} value={m.territory_id}>
                    {m.territory_name}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
      </form>

      <Section title="Chiffres clés" resource={summary}>
        {(data) => <Tiles data={data} />}
      </Section>

      <div class="reseau-grid">
        <Section title="Orientations reçues par semaine" resource={weeks} wide>
          {(data) => <WeekBars weeks={data.weeks} />}
        </Section>

        <Section title="Délai de premier contact" resource={summary}>
          {(data) => (
            <dl class="figures">
              <div>
                <dt>Délai médian</dt>
                <dd>{delay(data.first_contact.median_hours)}</dd>
              </div>
              <div>
                <dt>Dans les délais</dt>
                <dd>
                  {percent(data.first_contact.on_time_rate)}
                  <span class="muted">
                    {' '}
                    ({data.first_contact.on_time} sur {data.first_contact.due})
                  </span>
                </dd>
              </div>
            </dl>
          )}
        </Section>

        <Section title="Visites" resource={summary}>
          {(data) => (
            <ShareBars
              label="Visites prévues et faites"
              total={Math.max(data.visits.planned, data.visits.done)}
              rows={[
                { key: 'planned', label: 'Prévues', value: data.visits.planned, tone: 'muted' },
                { key: 'done', label: 'Faites', value: data.visits.done },
                {
                  key: 'overdue',
                  label: 'En retard',
                  value: data.visits.overdue,
                  tone: 'danger',
                },
              ]}
            />
          )}
        </Section>

        <Section title="Parcours des orientations reçues" resource={funnel}>
          {(data) => (
            <>
              <ShareBars
                label="Étapes atteintes"
                total={data.received}
                rows={data.stages.map((stage) => ({
                  key: stage.stage,
                  label: stage.label,
                  value: stage.count,
                }))}
              />
              <h3>Motifs de clôture</h3>
              <ShareBars
                label="Motifs de clôture"
                total={data.closing_reasons.reduce((sum, r) => sum + r.count, 0)}
                rows={data.closing_reasons.map((reason) => ({
                  key: reason.reason,
                  label: reason.label,
                  value: reason.count,
                  tone: 'muted',
                }))}
              />
            </>
          )}
        </Section>

        <Section title="Capteurs par activité" resource={summary}>
          {(data) => (
            <ShareBars
              label="Capteurs par activité"
              total={data.capteurs.by_activity.reduce((sum, row) => sum + row.count, 0)}
              rows={data.capteurs.by_activity.map((row) => ({
                key: row.activity,
                label: row.label,
                value: row.count,
                tone: `activity-${row.activity}`,
              }))}
            />
          )}
        </Section>

        <Section title="Résultats par type de capteur" resource={kinds} wide>
          {(data) => (
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Partenaires</th>
                  <th scope="col">Actifs</th>
                  <th scope="col">Orientations</th>
                  <th scope="col">Dont orientées</th>
                </tr>
              </thead>
              <tbody>
                {data.kinds.map((row) => (
                  <tr key={row.kind}>
                    <td>{row.label}</td>
                    <td>{row.partners}</td>
                    <td>{row.active}</td>
                    <td>{row.referrals}</td>
                    <td>{row.oriented}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>

        <Section title="Capteurs qui orientent le plus" resource={top}>
          {(data) =>
            data.capteurs.length ? (
              <ol class="ranking">
                {data.capteurs.map((c) => (
                  <li key={c.id}>
                    <a href={href('capteur', { id: c.id })}>{c.name}</a>
                    <span class="muted">
                      {' '}
                      · {c.referrals} orientation(s), {c.oriented} orientée(s)
                    </span>
                  </li>
                ))}
              </ol>
            ) : (
              <p class="muted">Aucune orientation venue d’un capteur sur la période.</p>
            )
          }
        </Section>

        <Section title="Capteurs silencieux (à aller voir)" resource={silent}>
          {(data) =>
            data.capteurs.length ? (
              <ol class="ranking">
                {data.capteurs.map((c) => (
                  <li key={c.id}>
                    <a href={href('capteur', { id: c.id })}>{c.name}</a>
                    <span class="muted">
                      {' '}
                      · {c.city} · {labelOf(CAPTEUR_KIND, c.kind)} ·{' '}
                      {c.silent_days === null ? 'jamais' : `${c.silent_days} j sans orientation`}
                      {c.last_visit_on ? ` · vu le ${day(c.last_visit_on)}` : ' · jamais visité'}
                    </span>
                  </li>
                ))}
              </ol>
            ) : (
              <p class="muted">Aucun partenaire dormant.</p>
            )
          }
        </Section>

        <Section title="Charge des facilitateurs" resource={load} wide>
          {(rows) => (
            <table class="table" aria-label="Charge des facilitateurs">
              <thead>
                <tr>
                  <th scope="col">Facilitateur</th>
                  {coordinated.length > 1 && !territory && <th scope="col">Territoire</th>}
                  <th scope="col">Orientations ouvertes</th>
                  <th scope="col">En retard</th>
                  <th scope="col">Disponibilité</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={`${row.territory_id}:${row.id}`}>
                    <td>{row.full_name}</td>
                    {coordinated.length > 1 && !territory && <td>{row.territory_name}</td>}
                    <td>{row.open_referrals}</td>
                    <td class={row.overdue ? 'danger' : undefined}>{row.overdue}</td>
                    <td>
                      {row.available
                        ? 'Disponible'
                        : `Absent·e jusqu’au ${day(row.unavailable_until)}`}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>

        <section class="panel reseau-card" aria-labelledby="exports-title">
          <h2 id="exports-title">Exports pour les financeurs</h2>
          <p class="muted">
            Mois de {months.from} à {months.to}, sans donnée personnelle.
          </p>
          <div class="actions">
            <a
              class="button"
              href={dashboard.exportUrl('indicators.csv', months, territory)}
              download
            >
              Indicateurs (CSV)
            </a>
            <a
              class="button"
              href={dashboard.exportUrl('indicators.xlsx', months, territory)}
              download
            >
              Indicateurs (Excel)
            </a>
            <a
              class="button"
              href={dashboard.exportUrl('referrals.csv', months, territory)}
              download
            >
              Orientations pseudonymisées (CSV)
            </a>
          </div>
        </section>
      </div>

      <MapSection query={query} mapKey={`${key}:map`} tiles={me.map_tiles} />
    </section>
  );
}

function Section<T>({
  title,
  resource,
  wide = false,
  children,
}: {
  title: string;
  resource: Resource<T>;
  wide?: boolean;
  children: (data: T) => preact.ComponentChildren;
}) {
  // A card's wide table scrolls inside it on a phone: focusable, so a keyboard can scroll it.
  return (
    <section
      class={wide ? 'panel reseau-card wide' : 'panel reseau-card'}
      tabIndex={0}
      aria-label={title}
    >
      <h2>{title}</h2>
      {resource.data !== undefined ? children(resource.data) : null}
      {resource.data === undefined && resource.loading && <Loading />}
      {resource.data === undefined && resource.offline && <OfflineEmpty />}
      {resource.error && <ErrorNotice error={resource.error} />}
    </section>
  );
}

function Tiles({ data }: { data: dashboard.Summary }) {
  const active = data.capteurs.by_activity.find((row) => row.activity === 'active')?.count ?? 0;
  const tiles: [string, string, string?][] = [
    ['Orientations reçues', String(data.referrals.received)],
    ['Contactées', String(data.referrals.contacted)],
    ['Rencontrées', String(data.referrals.met)],
    ['Orientées', String(data.referrals.oriented)],
    ['Clôturées', String(data.referrals.closed)],
    ['Premier contact dans les délais', percent(data.first_contact.on_time_rate)],
    ['Capteurs actifs', String(active)],
    ['Visites faites', `${data.visits.done}`, `sur ${data.visits.planned} prévues`],
    ['Scans → orientations', percent(data.scans.conversion), `${data.scans.scans} scans`],
  ];
  return (
    <ul class="tiles" aria-label="Chiffres clés">
      {tiles.map(([label, value, note]) => (
        <li key={label} class="tile">
          <span class="tile-value">{value}</span>
          <span class="tile-label">{label}</span>
          {note && <span class="tile-note muted">{note}</span>}
        </li>
      ))}
    </ul>
  );
}

function MapSection({
  query,
  mapKey,
  tiles,
}: {
  query: dashboard.PeriodQuery;
  mapKey: string;
  tiles: MapTiles;
}) {
  const map = useResource(mapKey, () => dashboard.capteurMap(query));
  const [MapView, setMapView] = useState<MapComponent | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import('../components/capteur-map')
      .then((module) => setMapView(() => module.default))
      .catch(() => setFailed(true));
  }, []);
  return (
    <section class="panel reseau-card" aria-labelledby="map-title">
      <h2 id="map-title">Carte des capteurs</h2>
      {map.data && MapView && <MapView data={map.data} tiles={tiles} />}
      {(!map.data || !MapView) && !failed && map.loading && <Loading />}
      {failed && <Notice tone="warn">La carte n’a pas pu se charger.</Notice>}
      {map.offline && !map.data && <OfflineEmpty />}
      {map.error && <ErrorNotice error={map.error} />}
    </section>
  );
}
