/**
 * accounts: the session (login and its second factor, logout, me), the two-factor enrolment,
 * and a facilitator's availability.
 */
import { api, type Schemas } from './client';

export type Me = Schemas['Me'];
export type Membership = Schemas['Membership'];
export type Enrolment = Schemas['Enrolment'];
/** What the password step leads to: the session, or a second factor first. */
export type LoginResult =
  { me: Me } | { secondFactor: Schemas['SecondFactorEnum']; detail: string };

export async function login(email: string, password: string): Promise<LoginResult> {
  // Django wants a CSRF token even on the login form: the first call sets the cookie.
  await api.refreshCsrf();
  const data: Me | Schemas['SecondFactorNeeded'] = await api.call(() =>
    api.client.POST('/api/v1/auth/login/', { body: { email, password } }),
  );
  if (typeof data.second_factor === 'string') {
    return { secondFactor: data.second_factor, detail: (data as { detail: string }).detail };
  }
  return { me: data as Me };
}

/** The login's second step: the authenticator app's code, or a recovery code. */
export function verifyOtp(code: string): Promise<Me> {
  return api.call(() => api.client.POST('/api/v1/auth/otp/verify/', { body: { code } }));
}

export function startEnrolment(): Promise<Enrolment> {
  return api.call(() => api.client.POST('/api/v1/auth/otp/enrolment/'));
}

/** Confirms the app with its code; the answer's recovery codes are shown once. */
export async function confirmEnrolment(code: string): Promise<string[]> {
  const data = await api.call(() =>
    api.client.POST('/api/v1/auth/otp/enrolment/confirm/', { body: { code } }),
  );
  return data.recovery_codes;
}

export function disableOtp(code: string): Promise<Me> {
  return api.call(() => api.client.POST('/api/v1/auth/otp/disable/', { body: { code } }));
}

/** Ends every session of this account, on every device (this one too). */
export async function logoutEverywhere(): Promise<void> {
  await api.call(() => api.client.POST('/api/v1/auth/logout-everywhere/'));
}

export async function logout(): Promise<void> {
  await api.call(() => api.client.POST('/api/v1/auth/logout/'));
}

export function me(): Promise<Me> {
  return api.call(() => api.client.GET('/api/v1/auth/me/'));
}

/** Away until `until` (the last day of absence), or back now with `null`. */
export function setAvailability(territory: number, until: string | null): Promise<Me> {
  return api.call(() =>
    api.client.PUT('/api/v1/auth/me/availability/', {
      body: { territory, unavailable_until: until },
    }),
  );
}

export function facilitatorTerritories(user: Me): Membership[] {
  return user.memberships.filter((membership) => membership.role === 'facilitator');
}

export async function refreshCsrfAndLogout(): Promise<void> {
  await api.refreshCsrf();
  await logout();
}
