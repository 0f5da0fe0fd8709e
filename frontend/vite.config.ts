import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

// Served by Django under /app/ (backend/pwa): the build's URLs all start there.
const BASE = '/app/';

export default defineConfig({
  base: BASE,
  // Preact's automatic JSX runtime, without a Babel-based preset.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    // Hashed file names under assets/: Django serves them with an `immutable` cache header.
    // The manifest (.vite/manifest.json) lets scripts/bundle-size.mjs follow each chunk's imports.
    manifest: true,
    assetsDir: 'assets',
  },
  plugins: [
    VitePWA({
      // An update waits for the person to accept it ("Nouvelle version disponible"): a
      // form half-typed in the field is never lost to a reload they did not ask for.
      registerType: 'prompt',
      // Registered by src/lib/sw.ts (no inline script: the CSP allows 'self' only).
      injectRegister: false,
      strategies: 'generateSW',
      filename: 'sw.js',
      manifestFilename: 'manifest.webmanifest',
      includeManifestIcons: true,
      manifest: {
        id: BASE,
        name: 'Relais',
        short_name: 'Relais',
        description:
          "L'application des facilitateurs de parcours : orientations reçues, capteurs, affiches.",
        lang: 'fr',
        dir: 'ltr',
        start_url: BASE,
        scope: BASE,
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#ffffff',
        theme_color: '#0b5d5b',
        categories: ['productivity', 'social'],
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          {
            src: 'icons/maskable-512.png',
            sizes: '512x512',
            type: 'image/png',
            purpose: 'maskable',
          },
        ],
      },
      workbox: {
        // The shell and every screen's chunk: the whole app opens offline. Icons come in
        // through includeManifestIcons (listing them here too would precache them twice).
        globPatterns: ['**/*.{js,css,html}'],
        // But the coordinator's screen "Le réseau" and its map (Leaflet, ~45 KB gzipped): a
        // facilitator's phone never downloads them; a coordinator loads them when opening it
        // (on a laptop, online: its figures come from the network anyway).
        globIgnores: ['**/assets/reseau-*', '**/assets/capteur-map-*'],
        navigateFallback: `${BASE}index.html`,
        navigateFallbackAllowlist: [/^\/app\//],
        // Take control of the page on the first visit, so that it works offline at once;
        // later versions wait for the person's consent (skipWaiting on their click).
        clientsClaim: true,
        skipWaiting: false,
        cleanupOutdatedCaches: true,
        // No runtime caching: API answers are kept by the app itself in IndexedDB (wiped at
        // logout), and writes go through its own outbox, never through the service worker.
        runtimeCaching: [],
      },
    }),
  ],
});
