/**
 * The app's shell: who is logged in, the network, the outbox, the update prompt, and the
 * screen of the current route. Every screen is a lazy chunk, loaded when first opened and
 * precached by the service worker so that it also opens offline.
 */
import type { ComponentType } from 'preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';

import type { Me } from './lib/api/accounts';
import * as accounts from './lib/api/accounts';
import { api, ApiError } from './lib/api/client';
import { AppContext, useApp, type AppValue, type SubmitResult } from './lib/app-context';
import { enqueue, flush, list, subscribe, type Draft, type OutboxItem } from './lib/outbox';
import { href, match, navigate, onLinkClick, usePath, type RouteName } from './lib/router';
import { cachedMe, finishPendingLogout, logout as endSession, rememberMe } from './lib/session';
import { startServiceWorker } from './lib/sw';
import type { LoginProps } from './screens/login';

export interface ScreenProps {
  params: Record<string, string>;
}

type Loader = () => Promise<{ default: ComponentType<ScreenProps> }>;

// One lazy chunk per screen. To come: the coordinator's screens.
const SCREENS: Record<Exclude<RouteName, 'login'>, Loader> = {
  inbox: () => import('./screens/inbox'),
  referral: () => import('./screens/referral'),
  capteurs: () => import('./screens/capteurs'),
  capteurNew: () => import('./screens/capteur-new'),
  capteur: () => import('./screens/capteur'),
  me: () => import('./screens/me'),
  reseau: () => import('./screens/reseau'),
  round: () => import('./screens/round'),
};
const loadLogin = () => import('./screens/login');

const SESSION_EXPIRED =
  'Votre session a expiré : reconnectez-vous. Les actions en attente seront envoyées ensuite.';

type Session =
  { state: 'loading' } | { state: 'anonymous'; reason?: string } | { state: 'ready'; me: Me };

const SYNC_EVERY_MS = 30_000;

export function App() {
  const path = usePath();
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const [online, setOnline] = useState(navigator.onLine);
  const [outbox, setOutbox] = useState<OutboxItem[]>([]);
  const [update, setUpdate] = useState<(() => void) | null>(null);
  const [message, setMessage] = useState('');
  const messageTimer = useRef<number | undefined>(undefined);
  const me = session.state === 'ready' ? session.me : null;

  const notify = useCallback((text: string) => {
    setMessage(text);
    window.clearTimeout(messageTimer.current);
    messageTimer.current = window.setTimeout(() => setMessage(''), 6000);
  }, []);

  const expire = useCallback(() => {
    setSession({ state: 'anonymous', reason: SESSION_EXPIRED });
  }, []);

  // Start: finish an offline logout, open with the kept profile, then check the session.
  useEffect(() => {
    startServiceWorker((apply) => setUpdate(() => apply));
    void (async () => {
      if (await finishPendingLogout()) {
        setSession({ state: 'anonymous' });
        return;
      }
      const kept = await cachedMe().catch(() => undefined);
      if (kept) setSession({ state: 'ready', me: kept });
      try {
        const fresh = await accounts.me();
        await rememberMe(fresh);
        setSession({ state: 'ready', me: fresh });
      } catch (error) {
        if (error instanceof ApiError) {
          setSession({ state: 'anonymous', ...(kept ? { reason: SESSION_EXPIRED } : {}) });
        } else if (!kept) {
          setSession({ state: 'anonymous' });
        }
      }
    })();
    return api.onUnauthorized(expire);
  }, [expire]);

  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
    };
  }, []);

  // The outbox as the screens see it.
  useEffect(() => {
    if (!me) return undefined;
    const refresh = () => void list(me.id).then(setOutbox);
    refresh();
    return subscribe(refresh);
  }, [me]);

  const sync = useCallback(async () => {
    if (!me) return;
    const before = (await list(me.id)).filter((item) => item.state === 'pending').length;
    if (!before) return;
    const report = await flush(api.send, me.id);
    if (report.stoppedBy === 'session') expire();
    if (report.sent.length) {
      notify(
        report.sent.length === 1
          ? 'Action en attente envoyée.'
          : `${report.sent.length} actions en attente envoyées.`,
      );
    }
    if (report.failed.length) notify('Une action a été refusée par le serveur : voir « Moi ».');
  }, [me, expire, notify]);

  // Send what waits: now, when the network returns, when the app comes back to the front,
  // and every 30 s while something waits (navigator.onLine is not always right).
  useEffect(() => {
    if (!me) return undefined;
    const run = () => void sync();
    run();
    const onVisible = () => document.visibilityState === 'visible' && run();
    window.addEventListener('online', run);
    document.addEventListener('visibilitychange', onVisible);
    const timer = window.setInterval(run, SYNC_EVERY_MS);
    return () => {
      window.removeEventListener('online', run);
      document.removeEventListener('visibilitychange', onVisible);
      window.clearInterval(timer);
    };
  }, [me, sync]);

  const submit = useCallback(
    async (draft: Draft): Promise<SubmitResult> => {
      if (!me) throw new Error('submit without a session');
      const item = await enqueue(draft, me.id);
      // A flush already running may have listed the queue before this item: run a second.
      for (let round = 0; round < 2; round += 1) {
        const report = await flush(api.send, me.id);
        const sent = report.sent.find((entry) => entry.item.key === item.key);
        if (sent) return { state: 'sent', data: sent.data };
        const failed = report.failed.find((entry) => entry.key === item.key);
        if (failed) return { state: 'failed', item: failed };
        if (report.stoppedBy === 'session') expire();
        if (report.stoppedBy) break;
      }
      return { state: 'queued' };
    },
    [me, expire],
  );

  const logout = useCallback(async () => {
    await endSession();
    setOutbox([]);
    setSession({ state: 'anonymous' });
    navigate(href('login'), { replace: true });
  }, []);

  const setMe = useCallback((fresh: Me) => {
    void rememberMe(fresh);
    setSession({ state: 'ready', me: fresh });
  }, []);

  const value = useMemo<AppValue | null>(
    () =>
      me ? { me, online, outbox, submit, sync: () => void sync(), notify, setMe, logout } : null,
    [me, online, outbox, submit, sync, notify, setMe, logout],
  );

  const route = match(path);

  useEffect(() => {
    if (session.state === 'ready' && route?.name === 'login')
      navigate(href('inbox'), { replace: true });
    if (session.state === 'anonymous' && route?.name !== 'login') {
      navigate(href('login'), { replace: true });
    }
  }, [session.state, route?.name]);

  if (session.state === 'loading') {
    return <p class="splash">Relais…</p>;
  }

  const updateBanner = update && (
    <div class="banner" role="status">
      <span>Nouvelle version disponible.</span>
      <button type="button" class="button small" onClick={update}>
        Mettre à jour
      </button>
    </div>
  );

  if (session.state === 'anonymous' || !value) {
    const reason = session.state === 'anonymous' ? session.reason : undefined;
    return (
      <div class="app">
        {updateBanner}
        <main id="main" class="page">
          <Lazy
            load={loadLogin}
            props={{
              ...(reason ? { reason } : {}),
              onLoggedIn: (fresh: Me) => {
                setMe(fresh);
                navigate(href('inbox'), { replace: true });
              },
            }}
          />
        </main>
      </div>
    );
  }

  const pending = outbox.filter((item) => item.state === 'pending').length;
  const refused = outbox.length - pending;
  const screenName = route && route.name !== 'login' ? route.name : null;

  return (
    <AppContext.Provider value={value}>
      <div class={screenName === 'reseau' ? 'app app-wide' : 'app'} onClick={onLinkClick}>
        <a class="skip-link" href="#main">
          Aller au contenu
        </a>
        <header class="topbar">
          <span class="brand">Relais</span>
          {!online && <span class="pill pill-offline">Hors connexion</span>}
          {pending > 0 && (
            <a class="pill pill-pending" href={href('me')}>
              {pending} en attente
            </a>
          )}
        </header>
        {updateBanner}
        {refused > 0 && (
          <div class="banner banner-warn" role="alert">
            <span>
              {refused === 1 ? 'Une action a été refusée' : `${refused} actions ont été refusées`}{' '}
              par le serveur.
            </span>
            <a class="button small" href={href('me')}>
              Voir
            </a>
          </div>
        )}
        <main id="main" class="page" tabIndex={-1}>
          {route && screenName ? (
            <Lazy load={SCREENS[screenName]} props={{ params: route.params }} key={path} />
          ) : (
            <NotFound />
          )}
        </main>
        <TabBar current={screenName ?? undefined} coordinator={isCoordinator(value.me)} />
        <div class="toast" role="status" aria-live="polite">
          {message}
        </div>
      </div>
    </AppContext.Provider>
  );
}

/** Coordinates a territory: "Le réseau" is in their navigation (and never a facilitator's). */
function isCoordinator(user: Me): boolean {
  return user.memberships.some((membership) => membership.role === 'coordinator');
}

function TabBar({
  current,
  coordinator,
}: {
  current: RouteName | undefined;
  coordinator: boolean;
}) {
  const { me } = useApp();
  const facilitator = accounts.facilitatorTerritories(me).length > 0;
  const tabs: { name: RouteName; label: string; active: boolean; hidden?: boolean }[] = [
    { name: 'inbox', label: 'Orientations', active: current === 'inbox' || current === 'referral' },
    {
      name: 'capteurs',
      label: 'Capteurs',
      active: current === 'capteurs' || current === 'capteur' || current === 'capteurNew',
    },
    { name: 'round', label: 'Ma tournée', active: current === 'round', hidden: !facilitator },
    { name: 'me', label: 'Moi', active: current === 'me' },
  ];
  if (coordinator)
    tabs.splice(-1, 0, { name: 'reseau', label: 'Le réseau', active: current === 'reseau' });
  return (
    <nav class="tabbar" aria-label="Navigation principale">
      {tabs
        .filter((tab) => !tab.hidden)
        .map((tab) => (
          <a
            key={tab.name}
            href={href(tab.name)}
            class={tab.active ? 'tab tab-active' : 'tab'}
            aria-current={tab.active ? 'page' : undefined}
          >
            {tab.label}
          </a>
        ))}
    </nav>
  );
}

function NotFound() {
  return (
    <section>
      <h1>Page introuvable</h1>
      <p>Cette adresse n’existe pas dans l’application.</p>
      <a class="button" href={href('inbox')}>
        Retour aux orientations
      </a>
    </section>
  );
}

const loaded = new Map<unknown, ComponentType<never>>();

/** Renders the default export of a lazy chunk, loading it first if needed. */
function Lazy<P>({
  load,
  props,
}: {
  load: () => Promise<{ default: ComponentType<P> }>;
  props: P;
}) {
  const [Component, setComponent] = useState<ComponentType<P> | undefined>(
    () => loaded.get(load) as ComponentType<P> | undefined,
  );
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    if (Component) return;
    load()
      .then((module) => {
        loaded.set(load, module.default as ComponentType<never>);
        setComponent(() => module.default);
      })
      .catch(() => setFailed(true));
  }, [load, Component]);

  if (failed) {
    return (
      <section>
        <h1>Page indisponible</h1>
        <p>
          Cette page n’a pas pu se charger (pas de réseau, ou une nouvelle version vient d’arriver).
          Réessayez quand le réseau revient.
        </p>
        <button type="button" class="button" onClick={() => location.reload()}>
          Recharger
        </button>
      </section>
    );
  }
  if (!Component) return <p class="loading">Chargement…</p>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const Screen = Component as ComponentType<any>;
  return <Screen {...(props as object)} />;
}

export type { LoginProps };
