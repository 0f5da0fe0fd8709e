/** Small pieces the screens share: titles, chips, notices, empty and offline states. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

import type { ApiError } from '../lib/api/client';
import { dateTime } from '../lib/format';
import type { Resource } from '../lib/resource';

/** The screen's title; takes the focus when the screen opens, so a screen reader says it. */
export function PageTitle({ children, sub }: { children: ComponentChildren; sub?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus({ preventScroll: true }), []);
  return (
    <div class="page-title">
      <h1 ref={ref} tabIndex={-1}>
        {children}
      </h1>
      {sub && <p class="muted">{sub}</p>}
    </div>
  );
}

export function Chip({
  tone = 'neutral',
  children,
}: {
  tone?: string;
  children: ComponentChildren;
}) {
  return <span class={`chip chip-${tone}`}>{children}</span>;
}

export function Notice({
  tone = 'info',
  children,
}: {
  tone?: 'info' | 'warn' | 'error';
  children: ComponentChildren;
}) {
  return (
    <div class={`notice notice-${tone}`} role={tone === 'error' ? 'alert' : undefined}>
      {children}
    </div>
  );
}

/** Offline with data kept from an earlier visit: say how old it is. */
export function OfflineNote({ savedAt }: { savedAt?: string | undefined }) {
  return (
    <Notice>
      Hors connexion : affiché tel que chargé{savedAt ? ` le ${dateTime(savedAt)}` : ''}. Vos
      actions sont gardées sur le téléphone et partiront au retour du réseau.
    </Notice>
  );
}

/** Offline, and this page was never opened on this phone. */
export function OfflineEmpty() {
  return (
    <Notice tone="warn">
      Hors connexion : cette page n’a pas encore été ouverte sur ce téléphone, elle ne peut pas
      s’afficher sans réseau. Elle s’affichera dès que le réseau reviendra.
    </Notice>
  );
}

export function ErrorNotice({ error }: { error: ApiError }) {
  return (
    <Notice tone="error">
      {error.status === 404
        ? 'Cette fiche n’existe pas ou ne vous est pas visible.'
        : error.problem.detail}
    </Notice>
  );
}

/** A screen whose resource has no data yet: its title and why (loading, offline, an error). */
export function NotLoaded({ title, resource }: { title: string; resource: Resource<unknown> }) {
  return (
    <section>
      <PageTitle>{title}</PageTitle>
      {resource.loading && <Loading />}
      {resource.offline && <OfflineEmpty />}
      {resource.error && <ErrorNotice error={resource.error} />}
    </section>
  );
}

export function Loading() {
  return (
    <p class="loading" role="status">
      Chargement…
    </p>
  );
}

/** Label + value rows of a detail card. */
export function Facts({ rows }: { rows: [string, ComponentChildren][] }) {
  const shown = rows.filter(([, value]) => value !== '' && value !== null && value !== undefined);
  return (
    <dl class="facts">
      {shown.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
