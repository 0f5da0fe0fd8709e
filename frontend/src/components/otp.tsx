/** Two-factor pieces shared by the login and "Moi": the code field and the enrolment. */
import { useState } from 'preact/hooks';

import * as accounts from '../lib/api/accounts';
import { ApiError, NetworkError } from '../lib/api/client';
import { Notice } from './ui';

/** The message of a failed call: a field error on `code`, the problem's detail, no network. */
export function errorText(caught: unknown): string {
  if (caught instanceof NetworkError) return 'Pas de réseau : réessayez quand il revient.';
  if (caught instanceof ApiError) {
    const fields = caught.problem.errors as Record<string, string[]> | undefined;
    return fields?.code?.join(' ') ?? caught.problem.detail;
  }
  throw caught;
}

/** A 6-digit code of the app (the phone offers it from an SMS-like keyboard), or a recovery
 * code when `recovery`. */
export function CodeField({
  label,
  value,
  recovery = false,
  onInput,
}: {
  label: string;
  value: string;
  recovery?: boolean;
  onInput: (value: string) => void;
}) {
  return (
    <label class="field">
      <span>{label}</span>
      {recovery ? (
        <input
          type="text"
          name="recovery-code"
          autocomplete="off"
          autocapitalize="none"
          spellcheck={false}
          required
          value={value}
          onInput={(e) => onInput(e.currentTarget.value)}
        />
      ) : (
        <input
          type="text"
          name="otp"
          inputMode="numeric"
          autocomplete="one-time-code"
          pattern="[0-9 ]{6,7}"
          maxLength={7}
          required
          value={value}
          onInput={(e) => onInput(e.currentTarget.value)}
        />
      )}
    </label>
  );
}

/**
 * Enrolment of an authenticator app: start (QR code and key), confirm with a code, then the
 * recovery codes, shown this once; `onDone` when the person has noted them.
 */
export function OtpEnrolment({ onDone }: { onDone: () => void }) {
  const [enrolment, setEnrolment] = useState<accounts.Enrolment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function run(action: () => Promise<void>) {
    setBusy(true);
    setError('');
    try {
      await action();
    } catch (caught) {
      setError(errorText(caught));
    } finally {
      setBusy(false);
    }
  }

  if (codes) {
    return (
      <div class="otp-codes">
        <Notice tone="warn">
          <p>
            Notez ces codes de secours et gardez-les à l’abri : chacun remplace une fois le code de
            l’application si vous perdez votre téléphone. Ils ne seront plus affichés.
          </p>
        </Notice>
        <ul class="recovery-codes" aria-label="Codes de secours">
          {codes.map((recovery) => (
            <li key={recovery}>
              <code>{recovery}</code>
            </li>
          ))}
        </ul>
        <button type="button" class="button primary block" onClick={onDone}>
          J’ai noté mes codes
        </button>
      </div>
    );
  }

  if (!enrolment) {
    return (
      <div>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button
          type="button"
          class="button primary block"
          disabled={busy}
          onClick={() =>
            void run(async () => {
              setEnrolment(await accounts.startEnrolment());
            })
          }
        >
          Activer la double authentification
        </button>
      </div>
    );
  }

  return (
    <form
      class="form"
      onSubmit={(event) => {
        event.preventDefault();
        void run(async () => {
          setCodes(await accounts.confirmEnrolment(code));
        });
      }}
    >
      <p>
        Dans une application d’authentification (FreeOTP, Aegis, Google Authenticator…), scannez ce
        QR code, puis saisissez le code à 6 chiffres qu’elle affiche.
      </p>
      <img
        class="otp-qr"
        width="220"
        height="220"
        alt="QR code à scanner avec l’application d’authentification"
        src={`data:image/svg+xml;base64,${btoa(enrolment.qr_svg)}`}
      />
      <p class="muted">
        Ou saisissez cette clé dans l’application :{' '}
        <code class="otp-secret">{enrolment.secret}</code>
      </p>
      <CodeField label="Code affiché par l’application" value={code} onInput={setCode} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="button primary block" disabled={busy}>
        Confirmer
      </button>
    </form>
  );
}
