/** dashboard: the coordinator's network (one read per widget), the map, the funder exports.
 * Only the screen "Le réseau" imports it: a lazy chunk a facilitator never loads. */
import { api, type Schemas } from './client';

export type Summary = Schemas['SummaryOutput'];
export type Weeks = Schemas['WeeksOutput'];
export type Funnel = Schemas['FunnelOutput'];
export type CapteurKinds = Schemas['CapteurKindsOutput'];
export type TopCapteurs = Schemas['TopCapteursOutput'];
export type SilentCapteurs = Schemas['SilentCapteursOutput'];
export type CapteurMap = Schemas['MapOutput'];
export type MapFeature = Schemas['MapFeature'];

/** Days, both included, as YYYY-MM-DD; `territory` narrows to one (else all the user's). */
export interface PeriodQuery {
  from: string;
  to: string;
  territory?: number;
}

const query = (period: PeriodQuery) => ({
  from: period.from,
  to: period.to,
  ...(period.territory ? { territory: period.territory } : {}),
});

export function summary(period: PeriodQuery): Promise<Summary> {
  return api.call(() =>
    api.client.GET('/api/v1/dashboard/summary/', { params: { query: query(period) } }),
  );
}

export function referralsPerWeek(period: PeriodQuery): Promise<Weeks> {
  return api.call(() =>
    api.client.GET('/api/v1/dashboard/referrals-per-week/', { params: { query: query(period) } }),
  );
}

export function funnel(period: PeriodQuery): Promise<Funnel> {
  return api.call(() =>
    api.client.GET('/api/v1/dashboard/funnel/', { params: { query: query(period) } }),
  );
}

export function byCapteurKind(period: PeriodQuery): Promise<CapteurKinds> {
  return api.call(() =>
    api.client.GET('/api/v1/dashboard/by-capteur-kind/', { params: { query: query(period) } }),
  );
}

export function topCapteurs(period: PeriodQuery): Promise<TopCapteurs> {
  return api.call(() =>
    api.client.GET('/api/v1/dashboard/capteurs/top/', {
      params: { query: { ...query(period), limit: 10 } },
    }),
  );
}

/** Live (no period): the dormant partners silent the longest. */
export function silentCapteurs(territory?: number): Promise<SilentCapteurs> {
  return api.call(() =>
    api.client.GET('/api/v1/dashboard/capteurs/silent/', {
      params: { query: { limit: 10, ...(territory ? { territory } : {}) } },
    }),
  );
}

export function capteurMap(period: PeriodQuery): Promise<CapteurMap> {
  return api.call(() =>
    api.client.GET('/api/v1/dashboard/map/', { params: { query: query(period) } }),
  );
}

export type ExportFile = 'indicators.csv' | 'indicators.xlsx' | 'referrals.csv';

/** The URL of a funder export over whole months (YYYY-MM): a plain link the browser downloads
 * with the session cookie (the server names the file: Content-Disposition). */
export function exportUrl(
  file: ExportFile,
  months: { from: string; to: string },
  territory?: number,
): string {
  const search = new URLSearchParams({ from: months.from, to: months.to });
  if (territory) search.set('territory', String(territory));
  return `/api/v1/exports/${file}?${search.toString()}`;
}
