/**
 * The map of capteurs coloured by activity (Leaflet, its own lazy chunk with its CSS, loaded
 * by "Le réseau" only). Tiles are opt-in (settings.MAP_TILES_URL, in the profile): without
 * them, or when they fail to load, the points are drawn on a blank background and the list
 * below says the same (capteur, activity, town). Nothing is requested from a third party
 * when no tile server is set.
 */
import 'leaflet/dist/leaflet.css';

import L from 'leaflet';
import { useEffect, useRef, useState } from 'preact/hooks';

import type { CapteurMap as MapData } from '../lib/api/dashboard';
import { href } from '../lib/router';
import { ACTIVITY, CAPTEUR_KIND, labelOf } from '../lib/labels';

export interface MapTiles {
  url: string;
  attribution: string;
}

export default function CapteurMap({ data, tiles }: { data: MapData; tiles: MapTiles }) {
  const container = useRef<HTMLDivElement>(null);
  const [tilesFailed, setTilesFailed] = useState(false);
  const withTiles = Boolean(tiles.url) && !tilesFailed;

  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    const map = L.map(element, {
      attributionControl: Boolean(tiles.url),
      zoomSnap: 0.5,
      scrollWheelZoom: false,
    });
    if (tiles.url) {
      let errors = 0;
      L.tileLayer(tiles.url, { attribution: tiles.attribution, maxZoom: 18 })
        .on('tileerror', () => {
          errors += 1;
          if (errors >= 3) setTilesFailed(true);
        })
        .addTo(map);
    }
    const points: L.LatLngExpression[] = [];
    for (const feature of data.features) {
      const [lng, lat] = feature.geometry.coordinates;
      if (lat === undefined || lng === undefined) continue;
      const { properties } = feature;
      points.push([lat, lng]);
      L.circleMarker([lat, lng], {
        radius: 7 + Math.min(6, properties.referrals),
        className: `map-point activity-${properties.activity ?? 'none'}`,
      })
        .bindTooltip(
          `${properties.name} · ${labelOf(ACTIVITY, properties.activity ?? '') || 'prospect'} · ${properties.referrals} orientation(s)`,
        )
        .addTo(map);
    }
    if (points.length) map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 13 });
    else map.setView([46.6, 2.4], 5);
    return () => {
      map.remove();
    };
  }, [data, tiles.url, tiles.attribution]);

  const features = [...data.features].sort((a, b) =>
    a.properties.name.localeCompare(b.properties.name, 'fr'),
  );

  return (
    <div class="capteur-map">
      <div
        ref={container}
        class={withTiles ? 'map-canvas' : 'map-canvas map-blank'}
        role="region"
        aria-label="Carte des capteurs, colorés selon leur activité"
      />
      <p class="map-legend">
        <span class="legend activity-active">Actif</span>
        <span class="legend activity-new">Nouveau</span>
        <span class="legend activity-dormant">Dormant</span>
        <span class="legend activity-none">Prospect ou en pause</span>
      </p>
      {tilesFailed && (
        <p class="muted">Le fond de carte n’a pas pu se charger : les capteurs restent placés.</p>
      )}
      {data.without_coordinates > 0 && (
        <p class="muted">
          {data.without_coordinates} capteur(s) sans coordonnées ne figurent pas sur la carte.
        </p>
      )}
      <details class="map-list" open={!withTiles}>
        <summary>Liste des capteurs de la carte ({features.length})</summary>
        <table>
          <caption class="visually-hidden">Capteurs de la carte</caption>
          <thead>
            <tr>
              <th scope="col">Capteur</th>
              <th scope="col">Activité</th>
              <th scope="col">Commune</th>
              <th scope="col">Orientations</th>
            </tr>
          </thead>
          <tbody>
            {features.map(({ properties }) => (
              <tr key={properties.id}>
                <td>
                  <a href={href('capteur', { id: properties.id })}>{properties.name}</a>
                  <span class="muted"> · {labelOf(CAPTEUR_KIND, properties.kind)}</span>
                </td>
                <td>
                  <span class={`legend activity-${properties.activity ?? 'none'}`}>
                    {properties.activity
                      ? labelOf(ACTIVITY, properties.activity)
                      : 'Prospect ou en pause'}
                  </span>
                </td>
                <td>{properties.city}</td>
                <td>{properties.referrals}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
