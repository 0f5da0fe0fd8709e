/**
 * A tiny router over the History API, for the routes under /app/. Each screen is a lazy
 * chunk (app.tsx): adding a screen (the round "Ma tournée", the coordinator's dashboard) is a
 * line in ROUTES and one in app.tsx's SCREENS.
 */
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/app/';

export const ROUTES = {
  inbox: '/app/',
  referral: '/app/orientations/:id',
  capteurs: '/app/capteurs',
  capteurNew: '/app/capteurs/nouveau',
  capteur: '/app/capteurs/:id',
  me: '/app/moi',
  reseau: '/app/reseau',
  round: '/app/tournee',
  login: '/app/connexion',
} as const;

export type RouteName = keyof typeof ROUTES;

export interface Match {
  name: RouteName;
  params: Record<string, string>;
}

const compiled = (Object.entries(ROUTES) as [RouteName, string][]).map(([name, pattern]) => {
  const keys: string[] = [];
  const source = pattern.replace(/\/$/, '').replace(/:(\w+)/g, (_, key: string) => {
    keys.push(key);
    return '(\\d+)';
  });
  return { name, keys, regex: new RegExp(`^${source}/?$`) };
});

export function match(pathname: string): Match | null {
  for (const route of compiled) {
    const found = route.regex.exec(pathname);
    if (found) {
      const params: Record<string, string> = {};
      route.keys.forEach((key, i) => (params[key] = found[i + 1] ?? ''));
      return { name: route.name, params };
    }
  }
  return null;
}

export function href(name: RouteName, params: Record<string, string | number> = {}): string {
  return ROUTES[name].replace(/:(\w+)/g, (_, key: string) => String(params[key] ?? ''));
}

const CHANGE = 'relais:navigate';

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

/** The current path; re-renders on navigation (links, back button). */
export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => {
      setPath(location.pathname);
      window.scrollTo(0, 0);
    };
    window.addEventListener('popstate', update);
    window.addEventListener(CHANGE, update);
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(CHANGE, update);
    };
  }, []);
  return path;
}

/** Follows a click on an in-app link without reloading the page. */
export function onLinkClick(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0) return;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = (event.target as Element | null)?.closest?.('a');
  if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
  const url = new URL(anchor.href, location.href);
  if (url.origin !== location.origin || !url.pathname.startsWith(BASE)) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}
