import { describe, expect, it, vi } from 'vitest';

import { ApiError, createApi, NetworkError, readCookie } from './client';

const BASE = 'http://relais.test';

function json(status: number, body: unknown, type = 'application/json') {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': type } });
}

/** A fetch that answers in turn and records each request as a Request. */
function fakeFetch(...answers: (Response | Error)[]) {
  const requests: Request[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push(input instanceof Request ? input : new Request(input, init));
    const answer = answers.shift() ?? json(200, {});
    if (answer instanceof Error) throw answer;
    return answer;
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, requests };
}

const problem = (status: number, code: string, detail = 'Non.') =>
  json(
    status,
    { type: 'about:blank', title: 'Erreur', status, detail, code },
    'application/problem+json',
  );

describe('the API client', () => {
  it('reads the CSRF cookie', () => {
    expect(readCookie('a=1; csrftoken=abc%3D; b=2', 'csrftoken')).toBe('abc=');
    expect(readCookie('a=1', 'csrftoken')).toBe('');
  });

  it('sends the CSRF token on writes, not on reads', async () => {
    const { fetch, requests } = fakeFetch(json(200, { id: 1 }), json(200, {}));
    const api = createApi({ baseUrl: BASE, fetch, cookies: () => 'csrftoken=tok' });

    await api.call(() => api.client.GET('/api/v1/auth/me/'));
    await api.call(() => api.client.POST('/api/v1/auth/logout/'));

    expect(requests[0]?.headers.get('X-CSRFToken')).toBeNull();
    expect(requests[1]?.headers.get('X-CSRFToken')).toBe('tok');
  });

  it('turns an error answer into ApiError with the problem details', async () => {
    const { fetch } = fakeFetch(problem(409, 'illegal_status_transition', 'Impossible.'));
    const api = createApi({ baseUrl: BASE, fetch, cookies: () => '' });

    const error = await api.call(() => api.client.GET('/api/v1/auth/me/')).catch((e) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(409);
    expect(error.problem.code).toBe('illegal_status_transition');
    expect(error.problem.detail).toBe('Impossible.');
  });

  it('turns a failed fetch into NetworkError', async () => {
    const { fetch } = fakeFetch(new TypeError('Failed to fetch'));
    const api = createApi({ baseUrl: BASE, fetch, cookies: () => '' });

    await expect(api.call(() => api.client.GET('/api/v1/auth/me/'))).rejects.toBeInstanceOf(
      NetworkError,
    );
  });

  it('gets a fresh CSRF token and tries once more after a CSRF refusal', async () => {
    let token = 'old';
    const requests: Request[] = [];
    const answers = [problem(403, 'csrf_failed'), json(200, { detail: 'ok' }), json(201, {})];
    const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input as string, init);
      requests.push(request);
      if (new URL(request.url).pathname === '/api/v1/auth/csrf/') token = 'new';
      return answers.shift();
    }) as typeof globalThis.fetch;
    const api = createApi({ baseUrl: BASE, fetch, cookies: () => `csrftoken=${token}` });

    const result = await api.send({ method: 'POST', path: '/api/v1/referrals/1/notes/', body: {} });

    expect(result.kind).toBe('ok');
    expect(requests.map((r) => new URL(r.url).pathname)).toEqual([
      '/api/v1/referrals/1/notes/',
      '/api/v1/auth/csrf/',
      '/api/v1/referrals/1/notes/',
    ]);
    expect(requests[0]?.headers.get('X-CSRFToken')).toBe('old');
    expect(requests[2]?.headers.get('X-CSRFToken')).toBe('new');
  });

  it('sends an outbox write with its idempotency key and JSON body', async () => {
    const { fetch, requests } = fakeFetch(json(201, { id: 5 }));
    const api = createApi({ baseUrl: BASE, fetch, cookies: () => 'csrftoken=tok' });

    const result = await api.send({
      method: 'POST',
      path: '/api/v1/referrals/1/notes/',
      body: { text: 'Rappeler' },
      key: 'key-12345678',
    });

    expect(result).toEqual({ kind: 'ok', status: 201, data: { id: 5 } });
    expect(requests[0]?.headers.get('Idempotency-Key')).toBe('key-12345678');
    expect(requests[0]?.headers.get('X-CSRFToken')).toBe('tok');
    expect(await requests[0]?.json()).toEqual({ text: 'Rappeler' });
  });

  it('reports a refused write, a network failure and an expired session', async () => {
    const onUnauthorized = vi.fn();
    const { fetch } = fakeFetch(
      problem(409, 'referral_closed'),
      new TypeError('offline'),
      problem(401, 'not_authenticated'),
    );
    const api = createApi({ baseUrl: BASE, fetch, cookies: () => '' });
    api.onUnauthorized(onUnauthorized);
    const write = { method: 'POST' as const, path: '/api/v1/referrals/1/notes/', body: {} };

    expect(await api.send(write)).toMatchObject({ kind: 'http', status: 409 });
    expect(await api.send(write)).toEqual({ kind: 'network' });
    expect(await api.send(write)).toMatchObject({ kind: 'http', status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('describes an answer that is no problem document (a proxy error page)', async () => {
    const { fetch } = fakeFetch(new Response('<html>Bad gateway</html>', { status: 502 }));
    const api = createApi({ baseUrl: BASE, fetch, cookies: () => '' });

    const result = await api.send({ method: 'POST', path: '/x/', body: {} });

    expect(result).toMatchObject({ kind: 'http', status: 502, problem: { code: 'http_502' } });
  });
});
