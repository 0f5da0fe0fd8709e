/**
 * A new capteur, typed standing in the shop: big fields, the phone keypad for numbers, the
 * phone's position in one tap. Goes through the outbox: with no network it is kept and sent
 * later, and created once whatever happens (Idempotency-Key).
 */
import { useState } from 'preact/hooks';

import { Notice, PageTitle } from '../components/ui';
import { facilitatorTerritories } from '../lib/api/accounts';
import {
  capteurDraft,
  type Capteur,
  type CapteurInput,
  type CapteurKind,
} from '../lib/api/capteurs';
import { useApp } from '../lib/app-context';
import { CAPTEUR_KIND } from '../lib/labels';
import { discard } from '../lib/outbox';
import { href, navigate } from '../lib/router';

type Position = { latitude: string; longitude: string; accuracy: number };

export default function CapteurNew() {
  const { me, submit, notify } = useApp();
  const territories = me.memberships;
  const facilitating = facilitatorTerritories(me);
  const [territory, setTerritory] = useState(
    (facilitating[0] ?? territories[0])?.territory_id ?? 0,
  );
  const [fields, setFields] = useState({
    name: '',
    kind: '' as CapteurKind | '',
    address: '',
    postal_code: '',
    city: '',
    contact_name: '',
    phone: '',
    email: '',
    notes: '',
  });
  const [position, setPosition] = useState<Position | null>(null);
  const [locating, setLocating] = useState(false);
  const [geoError, setGeoError] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const set = (name: keyof typeof fields) => (event: Event) =>
    setFields({ ...fields, [name]: (event.currentTarget as HTMLInputElement).value });

  function locate() {
    if (!('geolocation' in navigator)) {
      setGeoError('Ce téléphone ne donne pas sa position.');
      return;
    }
    setLocating(true);
    setGeoError('');
    navigator.geolocation.getCurrentPosition(
      ({ coords }) => {
        setLocating(false);
        // The API keeps 6 decimals (about 10 cm): more would be refused.
        setPosition({
          latitude: coords.latitude.toFixed(6),
          longitude: coords.longitude.toFixed(6),
          accuracy: Math.round(coords.accuracy),
        });
      },
      (error) => {
        setLocating(false);
        setGeoError(
          error.code === error.PERMISSION_DENIED
            ? 'Position refusée : autorisez-la dans les réglages du navigateur, ou tapez l’adresse.'
            : 'Position introuvable ici : tapez l’adresse.',
        );
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 },
    );
  }

  async function save(event: Event) {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!fields.name.trim()) missing.name = 'Indiquez le nom du capteur.';
    if (!fields.kind) missing.kind = 'Choisissez le type de capteur.';
    setErrors(missing);
    if (Object.keys(missing).length || !fields.kind) return;

    const input: CapteurInput = {
      territory,
      name: fields.name.trim(),
      kind: fields.kind,
      address: fields.address.trim(),
      postal_code: fields.postal_code.trim(),
      city: fields.city.trim(),
      contact_name: fields.contact_name.trim(),
      phone: fields.phone.trim(),
      email: fields.email.trim(),
      notes: fields.notes.trim(),
      ...(facilitating.some((m) => m.territory_id === territory) ? { referent: me.id } : {}),
      ...(position ? { latitude: position.latitude, longitude: position.longitude } : {}),
    };
    setBusy(true);
    const result = await submit(capteurDraft(input));
    setBusy(false);
    if (result.state === 'sent') {
      const created = result.data as Capteur;
      notify(`${created.name} est inscrit : émettez son premier code.`);
      navigate(href('capteur', { id: created.id }), { replace: true });
    } else if (result.state === 'queued') {
      notify('Pas de réseau : le capteur est gardé sur le téléphone et sera envoyé plus tard.');
      navigate(href('capteurs'), { replace: true });
    } else {
      const fieldErrors = (result.item.problem?.errors ?? {}) as Record<string, string[]>;
      setErrors(
        Object.fromEntries(
          Object.entries(fieldErrors).map(([name, messages]) => [name, messages.join(' ')]),
        ),
      );
      notify('Le capteur n’a pas été enregistré : corrigez puis réessayez.');
      // The refused draft stays in "Moi" until dropped: drop it, this form carries the retry.
      await discard(result.item.key);
    }
  }

  const error = (name: string) =>
    errors[name] ? (
      <span class="field-error" id={`${name}-error`}>
        {errors[name]}
      </span>
    ) : null;
  const described = (name: string) => (errors[name] ? `${name}-error` : undefined);

  return (
    <section>
      <PageTitle>Nouveau capteur</PageTitle>
      <form class="form" onSubmit={save} noValidate>
        {territories.length > 1 && (
          <label class="field">
            <span>Territoire</span>
            <select value={territory} onChange={(e) => setTerritory(Number(e.currentTarget.value))}>
              {territories.map((m) => (
                <option key={m.territory_id} value={m.territory_id}>
                  {m.territory_name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label class="field">
          <span>Nom du capteur *</span>
          <input
            type="text"
            name="name"
            required
            autocomplete="organization"
            value={fields.name}
            onInput={set('name')}
            aria-invalid={Boolean(errors.name)}
            aria-describedby={described('name')}
          />
          {error('name')}
        </label>
        <label class="field">
          <span>Type *</span>
          <select
            name="kind"
            required
            value={fields.kind}
            onChange={set('kind')}
            aria-invalid={Boolean(errors.kind)}
            aria-describedby={described('kind')}
          >
            <option value="">Choisir…</option>
            {(Object.keys(CAPTEUR_KIND) as CapteurKind[]).map((kind) => (
              <option key={kind} value={kind}>
                {CAPTEUR_KIND[kind]}
              </option>
            ))}
          </select>
          {error('kind')}
        </label>
        <label class="field">
          <span>Personne de contact</span>
          <input
            type="text"
            name="contact_name"
            autocomplete="name"
            value={fields.contact_name}
            onInput={set('contact_name')}
          />
        </label>
        <label class="field">
          <span>Téléphone</span>
          <input
            type="tel"
            name="phone"
            inputMode="tel"
            autocomplete="tel"
            value={fields.phone}
            onInput={set('phone')}
            aria-invalid={Boolean(errors.phone)}
            aria-describedby={described('phone')}
          />
          {error('phone')}
        </label>
        <label class="field">
          <span>E-mail</span>
          <input
            type="email"
            name="email"
            inputMode="email"
            autocomplete="email"
            value={fields.email}
            onInput={set('email')}
            aria-invalid={Boolean(errors.email)}
            aria-describedby={described('email')}
          />
          {error('email')}
        </label>
        <label class="field">
          <span>Adresse</span>
          <input
            type="text"
            name="address"
            autocomplete="street-address"
            value={fields.address}
            onInput={set('address')}
          />
        </label>
        <div class="filters">
          <label class="field">
            <span>Code postal</span>
            <input
              type="text"
              name="postal_code"
              inputMode="numeric"
              autocomplete="postal-code"
              maxLength={10}
              value={fields.postal_code}
              onInput={set('postal_code')}
            />
          </label>
          <label class="field">
            <span>Commune</span>
            <input
              type="text"
              name="city"
              autocomplete="address-level2"
              value={fields.city}
              onInput={set('city')}
            />
          </label>
        </div>
        <div class="panel">
          <button type="button" class="button block" onClick={locate} disabled={locating}>
            {locating ? 'Recherche de la position…' : 'Utiliser ma position'}
          </button>
          {position && (
            <p class="muted" role="status">
              Position : {position.latitude}, {position.longitude} (à {position.accuracy} m près){' '}
              <button type="button" class="link" onClick={() => setPosition(null)}>
                Effacer
              </button>
            </p>
          )}
          {geoError && <Notice tone="warn">{geoError}</Notice>}
          {(errors.latitude || errors.longitude) && (
            <p class="error">{errors.latitude ?? errors.longitude}</p>
          )}
        </div>
        <label class="field">
          <span>Notes</span>
          <textarea rows={3} name="notes" value={fields.notes} onInput={set('notes')} />
        </label>
        {errors.non_field_errors && <p class="error">{errors.non_field_errors}</p>}
        <button type="submit" class="button primary block" disabled={busy}>
          {busy ? 'Enregistrement…' : 'Inscrire le capteur'}
        </button>
      </form>
    </section>
  );
}
