/** structures: the directory a facilitator orients people to, searched by need and town. */
import { api, type Schemas } from './client';

export type Structure = Schemas['StructureOutput'];
export type Need = Schemas['NeedsEnum'];

export function structuresKey(need: Need | '', q: string): string {
  return `structures:${need}:${q.trim().toLowerCase()}`;
}

/** Active structures covering `need` (any when empty) whose name, town or address has `q`. */
export async function searchStructures(need: Need | '', q: string): Promise<Structure[]> {
  const page = await api.call(() =>
    api.client.GET('/api/v1/structures/', {
      params: {
        query: {
          page_size: 50,
          ...(need ? { need: [need] } : {}),
          ...(q.trim() ? { q: q.trim() } : {}),
        },
      },
    }),
  );
  return page.results;
}
