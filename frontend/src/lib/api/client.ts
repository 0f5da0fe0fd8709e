/**
 * The API client: openapi-fetch typed by the schema generated from Django (schema.d.ts),
 * with what every call needs here: the session cookie, Django's CSRF header on writes, and
 * errors as RFC 9457 problem details (the API's format) or as "no network".
 *
 * One module per backend app (accounts.ts, referrals.ts, capteurs.ts, structures.ts) builds
 * on `api`; screens never call fetch themselves.
 */
import createClient, { type Client } from 'openapi-fetch';

import type { components, paths } from './schema';

export type Schemas = components['schemas'];

/** An API error, as the API sends it (backend/core/errors.py). */
export interface Problem {
  status: number;
  title: string;
  detail: string;
  code: string;
  errors?: Record<string, unknown>;
}

/** The server answered with an error (4xx, 5xx). */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail);
    this.name = 'ApiError';
    this.status = problem.status;
    this.problem = problem;
  }
}

/** No answer at all: offline, or the network dropped the request. */
export class NetworkError extends Error {
  constructor() {
    super('Pas de réseau : la requête n’a pas pu partir.');
    this.name = 'NetworkError';
  }
}

/** What a write sent by the outbox came to. */
export type SendResult =
  | { kind: 'ok'; status: number; data: unknown }
  | { kind: 'network' }
  | { kind: 'http'; status: number; problem: Problem };

export interface WriteRequest {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body: unknown;
  /** The action's Idempotency-Key: a replay is answered without writing twice. */
  key?: string;
}

type Result<T> = { data?: T; error?: unknown; response: Response };

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const CSRF_PATH = '/api/v1/auth/csrf/';

export function readCookie(cookies: string, name: string): string {
  for (const part of cookies.split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return decodeURIComponent(value.join('='));
  }
  return '';
}

function problemOf(body: unknown, response: Response): Problem {
  if (body && typeof body === 'object' && 'detail' in body) {
    const raw = body as Partial<Problem>;
    return {
      status: response.status,
      title: String(raw.title ?? 'Erreur'),
      detail: String(raw.detail ?? ''),
      code: String(raw.code ?? `http_${response.status}`),
      ...(raw.errors ? { errors: raw.errors } : {}),
    };
  }
  return {
    status: response.status,
    title: 'Erreur',
    detail: `Le serveur n’a pas pu répondre (erreur ${response.status}). Réessayez plus tard.`,
    code: `http_${response.status}`,
  };
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

export interface ApiOptions {
  baseUrl: string;
  fetch?: typeof fetch;
  /** The document's cookies (the CSRF token is read from them before each write). */
  cookies?: () => string;
}

export function createApi(options: ApiOptions) {
  const fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const cookies = options.cookies ?? (() => document.cookie);
  const csrf = () => readCookie(cookies(), 'csrftoken');
  const listeners = new Set<() => void>();

  const client: Client<paths> = createClient<paths>({
    baseUrl: options.baseUrl,
    fetch: fetchImpl,
    credentials: 'same-origin',
  });
  client.use({
    onRequest({ request }) {
      if (UNSAFE.has(request.method)) request.headers.set('X-CSRFToken', csrf());
      return request;
    },
  });

  /** Gets a CSRF cookie (before logging in, or when Django rotated it). */
  async function refreshCsrf(): Promise<void> {
    try {
      await fetchImpl(options.baseUrl + CSRF_PATH, { credentials: 'same-origin' });
    } catch {
      throw new NetworkError();
    }
  }

  function unauthorized() {
    for (const listener of listeners) listener();
  }

  /**
   * Runs one call and returns its data; throws ApiError (problem details) or NetworkError.
   * A CSRF refusal is retried once with a fresh token; a 401 tells the app the session is
   * over (onUnauthorized), then throws.
   */
  async function call<T>(run: () => Promise<Result<T>>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      let result: Result<T>;
      try {
        result = await run();
      } catch (error) {
        if (error instanceof DOMException && error.name === 'AbortError') throw error;
        throw new NetworkError();
      }
      if (result.response.ok) return result.data as T;
      const problem = problemOf(result.error, result.response);
      if (problem.code === 'csrf_failed' && attempt === 0) {
        await refreshCsrf();
        continue;
      }
      if (problem.status === 401) unauthorized();
      throw new ApiError(problem);
    }
  }

  /** Sends a write as the outbox stores it (method, path, JSON body, idempotency key). */
  async function send(request: WriteRequest): Promise<SendResult> {
    for (let attempt = 0; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetchImpl(options.baseUrl + request.path, {
          method: request.method,
          credentials: 'same-origin',
          headers: {
            Accept: 'application/json',
            'Content-Type': 'application/json',
            'X-CSRFToken': csrf(),
            ...(request.key ? { 'Idempotency-Key': request.key } : {}),
          },
          body: request.body === undefined ? null : JSON.stringify(request.body),
        });
      } catch {
        return { kind: 'network' };
      }
      const body = parseJson(await response.text().catch(() => ''));
      if (response.ok) return { kind: 'ok', status: response.status, data: body };
      const problem = problemOf(body, response);
      if (problem.code === 'csrf_failed' && attempt === 0) {
        try {
          await refreshCsrf();
        } catch {
          return { kind: 'network' };
        }
        continue;
      }
      if (problem.status === 401) unauthorized();
      return { kind: 'http', status: response.status, problem };
    }
  }

  return {
    client,
    call,
    send,
    refreshCsrf,
    onUnauthorized(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type Api = ReturnType<typeof createApi>;

/** The app's API, same origin as the page. */
export const api: Api = createApi({
  baseUrl: typeof location === 'undefined' ? 'http://localhost' : location.origin,
});
