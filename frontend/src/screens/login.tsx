/**
 * Login: e-mail and password, opening a Django session (cookie + CSRF); then, when the account
 * has two-factor (required for coordinators), the authenticator app's code or a recovery code,
 * or for a coordinator without an app yet, its enrolment.
 */
import { useState } from 'preact/hooks';

import { CodeField, errorText, OtpEnrolment } from '../components/otp';
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
  const [step, setStep] = useState<'password' | 'code' | 'enrol'>('password');
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState(false);
  const [stepDetail, setStepDetail] = useState('');

  async function finish(me: accounts.Me) {
    if (!me.memberships.length) {
      await accounts.logout().catch(() => undefined);
      setStep('password');
      setError('Ce compte n’est membre d’aucun territoire : demandez à votre coordinateur·rice.');
      return;
    }
    onLoggedIn(me);
  }

  async function restart() {
    await accounts.logout().catch(() => undefined);
    setStep('password');
    setCode('');
    setError('');
  }

  async function submitCode(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      await finish(await accounts.verifyOtp(code.trim()));
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  async function submit(event: Event) {
    event.preventDefault();
    setBusy(true);
    setError('');
    try {
      const result = await accounts.login(email.trim(), password);
      if ('me' in result) {
        await finish(result.me);
        return;
      }
      setPassword('');
      setStepDetail(result.detail);
      setStep(result.secondFactor === 'otp_required' ? 'code' : 'enrol');
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

  if (step === 'code') {
    return (
      <section class="login">
        <PageTitle sub={email}>Double authentification</PageTitle>
        <form onSubmit={submitCode} class="form">
          <p>
            {recovery
              ? 'Saisissez un de vos codes de secours (chacun ne sert qu’une fois).'
              : stepDetail}
          </p>
          <CodeField
            key={recovery ? 'recovery' : 'app'}
            label={recovery ? 'Code de secours' : 'Code à 6 chiffres'}
            recovery={recovery}
            value={code}
            onInput={setCode}
          />
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="button primary block" disabled={busy}>
            {busy ? 'Vérification…' : 'Valider'}
          </button>
          <button
            type="button"
            class="button block"
            onClick={() => {
              setRecovery(!recovery);
              setCode('');
              setError('');
            }}
          >
            {recovery ? 'Utiliser le code de l’application' : 'Utiliser un code de secours'}
          </button>
          <button type="button" class="button block" onClick={() => void restart()}>
            Annuler
          </button>
        </form>
      </section>
    );
  }

  if (step === 'enrol') {
    return (
      <section class="login">
        <PageTitle sub={email}>Double authentification</PageTitle>
        <Notice tone="warn">{stepDetail}</Notice>
        <OtpEnrolment
          onDone={() =>
            void accounts
              .me()
              .then(finish)
              .catch((caught: unknown) => setError(errorText(caught)))
          }
        />
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="button" class="button block" onClick={() => void restart()}>
          Annuler
        </button>
      </section>
    );
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
