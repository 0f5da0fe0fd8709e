// Prints the JavaScript a phone downloads before the facilitator's first screen shows (the
// entry chunk, the inbox's lazy chunk and every chunk they import), gzipped, and fails the
// build past the budget. The other screens are lazy: listed, not counted.
// `node scripts/bundle-size.mjs dist --json` also prints {"initial_kb", "budget_kb"} on stdout
// (the report stays on stderr): `make bench` reads it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 60;
const FIRST_SCREEN = 'src/screens/inbox.tsx';
const root = process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? 'dist';
const asJson = process.argv.includes('--json');
const manifest = JSON.parse(readFileSync(join(root, '.vite', 'manifest.json'), 'utf8'));
const gz = (file) => gzipSync(readFileSync(join(root, file)), { level: 9 }).length / 1024;

/** The chunk of `key` and, recursively, the chunks it imports statically. */
function closure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  seen.add(key);
  for (const imported of manifest[key]?.imports ?? []) closure(imported, seen);
  return seen;
}

const entry = Object.keys(manifest).find((key) => manifest[key].isEntry);
// The service worker's registration (workbox-window) loads at start too, just after.
const registration = (manifest[entry].dynamicImports ?? []).filter((k) =>
  k.includes('workbox-window'),
);
const initial = new Set([
  ...closure(entry),
  ...closure(FIRST_SCREEN),
  ...registration.flatMap((key) => [...closure(key)]),
]);
const files = [...initial].map((key) => manifest[key].file).filter((f) => f.endsWith('.js'));

let total = 0;
console.warn(`initial JavaScript of the first screen (${FIRST_SCREEN}), gzipped:`);
for (const file of files) {
  const size = gz(file);
  total += size;
  console.warn(`  ${file.padEnd(44)} ${size.toFixed(1)} KB`);
}
console.warn(`  ${'total'.padEnd(44)} ${total.toFixed(1)} KB (budget ${BUDGET_KB} KB)`);
console.warn('other lazy chunks, gzipped:');
for (const key of Object.keys(manifest).sort()) {
  const { file } = manifest[key];
  if (initial.has(key) || !file.endsWith('.js')) continue;
  console.warn(`  ${file.padEnd(44)} ${gz(file).toFixed(1)} KB`);
}
if (asJson)
  process.stdout.write(`${JSON.stringify({ initial_kb: total, budget_kb: BUDGET_KB })}\n`);
if (total > BUDGET_KB) {
  console.error(`bundle-size: ${total.toFixed(1)} KB of initial JavaScript > ${BUDGET_KB} KB`);
  process.exit(1);
}
