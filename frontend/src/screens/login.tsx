/** Login: e-mail and password, opening a Django session (cookie + CSRF). */
import { useState } from 'preact/hooks';

import { Notice, PageTitle } from '../components/ui';
import * as accounts from '../lib/api/accounts';
import { ApiError, NetworkError } from '../lib/api/client';

export interface LoginProps {
  reason?: string;
  onLoggedIn: (me: accounts.Me) => void;
}

export default function Login({ reason, onLoggedIn }: LoginProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      const me = await accounts.login(email.trim(), password);
      if (!me.memberships.length) {
        await accounts.logout().catch(() => undefined);
        setError('Ce compte n’est membre d’aucun territoire : demandez à votre coordinateur·rice.');
        return;
      }
      onLoggedIn(me);
    } catch (caught) {
      if (caught instanceof NetworkError) {
        setError('Pas de réseau : la connexion demande du réseau, réessayez quand il revient.');
      } else if (caught instanceof ApiError) {
        setError(caught.problem.detail);
      } else {
        throw caught;
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="login">
      <PageTitle sub="Facilitateurs et facilitatrices de parcours">Connexion à Relais</PageTitle>
      {reason && <Notice tone="warn">{reason}</Notice>}
      <form onSubmit={submit} class="form" noValidate={false}>
        <label class="field">
          <span>Adresse e-mail</span>
          <input
            type="email"
            name="email"
            autocomplete="username"
            inputMode="email"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>Mot de passe</span>
          <input
            type="password"
            name="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="button primary block" disabled={busy}>
          {busy ? 'Connexion…' : 'Se connecter'}
        </button>
      </form>
    </section>
  );
}
