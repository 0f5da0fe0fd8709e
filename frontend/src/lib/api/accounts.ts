/** accounts: the session (login, logout, me) and a facilitator's availability. */
import { api, type Schemas } from './client';

export type Me = Schemas['Me'];
export type Membership = Schemas['Membership'];

export async function login(email: string, password: string): Promise<Me> {
  // Django wants a CSRF token even on the login form: the first call sets the cookie.
  await api.refreshCsrf();
  return api.call(() => api.client.POST('/api/v1/auth/login/', { body: { email, password } }));
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
