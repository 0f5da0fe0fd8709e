/**
 * Me: my availability (away until a date), the actions waiting or refused, two-factor
 * authentication, logging out (of this phone, or of every device).
 */
import { useState } from 'preact/hooks';

import { CodeField, errorText, OtpEnrolment } from '../components/otp';
import { Chip, Notice, PageTitle } from '../components/ui';
import * as accounts from '../lib/api/accounts';
import { facilitatorTerritories, setAvailability, type Membership } from '../lib/api/accounts';
import { ApiError, NetworkError } from '../lib/api/client';
import { useApp } from '../lib/app-context';
import { dateTime, day, today } from '../lib/format';
import { discard, retry } from '../lib/outbox';
import { href } from '../lib/router';

export default function Me() {
  const { me, outbox, logout, sync, online } = useApp();
  const [confirming, setConfirming] = useState(false);
  const facilitating = facilitatorTerritories(me);

  return (
    <section>
      <PageTitle sub={me.email}>{me.full_name || me.email}</PageTitle>
      <p class="chips">
        {me.memberships.map((m) => (
          <Chip key={m.territory_id}>
            {m.territory_name} · {m.role === 'facilitator' ? 'facilitateur·rice' : 'coordination'}
          </Chip>
        ))}
      </p>

      {facilitating.map((membership) => (
        <Availability key={membership.territory_id} membership={membership} />
      ))}

      <div class="block" id="envois">
        <h2>Actions à envoyer</h2>
        {outbox.length === 0 && <p class="muted">Tout est envoyé.</p>}
        <ul class="cards">
          {outbox.map((item) => (
            <li key={item.key} class="card">
              <div class="card-body">
                <span class="card-head">
                  <strong class="card-title">{item.label}</strong>
                  <Chip tone={item.state === 'failed' ? 'danger' : 'pending'}>
                    {item.state === 'failed' ? 'Refusée' : 'En attente'}
                  </Chip>
                </span>
                <span class="card-meta">Faite le {dateTime(item.createdAt)}</span>
                {item.advice && <p class="advice">{item.advice}</p>}
                {item.state === 'failed' && (
                  <div class="actions two">
                    {item.referralId && (
                      <a class="button" href={href('referral', { id: item.referralId })}>
                        Ouvrir l’orientation
                      </a>
                    )}
                    <button
                      type="button"
                      class="button"
                      onClick={() => void retry(item.key).then(sync)}
                    >
                      Réessayer
                    </button>
                    <button
                      type="button"
                      class="button danger-outline"
                      onClick={() => void discard(item.key)}
                    >
                      Abandonner
                    </button>
                  </div>
                )}
              </div>
            </li>
          ))}
        </ul>
        {outbox.some((item) => item.state === 'pending') && (
          <button type="button" class="button" onClick={sync} disabled={!online}>
            Envoyer maintenant
          </button>
        )}
      </div>

      <SecondFactor />

      <div class="block">
        <h2>Se déconnecter</h2>
        <p class="muted">
          La déconnexion efface de ce téléphone tout ce que Relais y gardait (orientations,
          capteurs, actions en attente).
        </p>
        {confirming ? (
          <Notice tone="warn">
            <p>
              {outbox.length} action{outbox.length > 1 ? 's' : ''} pas encore envoyée
              {outbox.length > 1 ? 's' : ''} sera perdue{outbox.length > 1 ? 's' : ''}. Se
              déconnecter quand même ?
            </p>
            <div class="actions two">
              <button type="button" class="button danger" onClick={() => void logout()}>
                Oui, se déconnecter
              </button>
              <button type="button" class="button" onClick={() => setConfirming(false)}>
                Annuler
              </button>
            </div>
          </Notice>
        ) : (
          <button
            type="button"
            class="button block danger-outline"
            onClick={() => (outbox.length ? setConfirming(true) : void logout())}
          >
            Se déconnecter
          </button>
        )}
        <LogoutEverywhere />
      </div>
    </section>
  );
}

function LogoutEverywhere() {
  const { logout, online } = useApp();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function run() {
    setBusy(true);
    setError('');
    try {
      await accounts.logoutEverywhere();
      await logout(); // this phone is wiped as by a plain logout
    } catch (caught) {
      setError(errorText(caught));
      setBusy(false);
    }
  }

  return (
    <>
      <p class="muted">
        Un téléphone perdu, un ordinateur partagé : fermez la session partout où ce compte est
        connecté.
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button
        type="button"
        class="button block danger-outline"
        disabled={busy || !online}
        onClick={() => void run()}
      >
        Se déconnecter de tous les appareils
      </button>
    </>
  );
}

function SecondFactor() {
  const { me, setMe, notify, online } = useApp();
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const { enabled, required } = me.second_factor;

  async function disable(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      setMe(await accounts.disableOtp(code.trim()));
      setCode('');
      notify('Double authentification désactivée.');
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="block">
      <h2>Double authentification</h2>
      {enabled ? (
        <form class="form" onSubmit={(event) => void disable(event)}>
          <p>
            Activée : après le mot de passe, Relais demande le code de votre application
            d’authentification.
          </p>
          {required && (
            <p class="muted">
              Votre rôle l’exige : après l’avoir désactivée (téléphone changé), il faudra en activer
              une nouvelle.
            </p>
          )}
          <CodeField label="Code pour la désactiver" value={code} onInput={setCode} />
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="button block" disabled={busy || !online || !code}>
            Désactiver
          </button>
        </form>
      ) : (
        <>
          <p>
            {required
              ? 'Votre rôle demande une double authentification : activez-la.'
              : 'Facultative : après le mot de passe, Relais demandera un code de votre téléphone.'}
          </p>
          <OtpEnrolment
            onDone={() =>
              void accounts
                .me()
                .then((fresh) => {
                  setMe(fresh);
                  notify('Double authentification activée.');
                })
                .catch((caught: unknown) => setError(errorText(caught)))
            }
          />
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
        </>
      )}
    </div>
  );
}

function Availability({ membership }: { membership: Membership }) {
  const { setMe, notify, online } = useApp();
  const [until, setUntil] = useState(membership.unavailable_until ?? '');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const away = Boolean(membership.unavailable_until) && !membership.available;

  async function save(value: string | null) {
    setBusy(true);
    setError('');
    try {
      setMe(await setAvailability(membership.territory_id, value));
      notify(
        value ? `Absence enregistrée jusqu’au ${day(value)}.` : 'Vous êtes de nouveau disponible.',
      );
      if (!value) setUntil('');
    } catch (caught) {
      if (caught instanceof NetworkError) setError('Pas de réseau : réessayez quand il revient.');
      else if (caught instanceof ApiError) {
        const fields = caught.problem.errors as Record<string, string[]> | undefined;
        setError(fields?.unavailable_until?.join(' ') ?? caught.problem.detail);
      } else throw caught;
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      class="form block"
      onSubmit={(event) => {
        event.preventDefault();
        if (until) void save(until);
      }}
    >
      <h2>Disponibilité · {membership.territory_name}</h2>
      <p>
        {away
          ? `Absent·e jusqu’au ${day(membership.unavailable_until)} inclus : les nouvelles orientations vont à vos collègues.`
          : 'Disponible : les nouvelles orientations peuvent vous être confiées.'}
      </p>
      <label class="field">
        <span>Absent·e jusqu’au (dernier jour d’absence)</span>
        <input
          type="date"
          min={today()}
          value={until}
          onInput={(e) => setUntil(e.currentTarget.value)}
        />
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="actions two">
        <button type="submit" class="button" disabled={busy || !until || !online}>
          Enregistrer l’absence
        </button>
        {away && (
          <button
            type="button"
            class="button"
            disabled={busy || !online}
            onClick={() => void save(null)}
          >
            Je suis de retour
          </button>
        )}
      </div>
    </form>
  );
}
