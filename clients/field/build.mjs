// Build the field app into api/web/field/ (committed): the bundle app.js (esbuild), the
// service worker sw.js (its cache named after the build), the static shell files, and
// LICENSES.txt (the licence of every npm package in the bundle).
//
//   node build.mjs           write api/web/field/
//   node build.mjs --check   build into memory and fail if api/web/field/ differs
//
// The build's identity is a SHA-256 over its inputs: this script, src/, static/, the
// wrapper's sources (../rxdb/src) and both lock files. It is written into app.js's first
// line and into BUILD.json, where tests/web/test_field_bundle.py recomputes it in Python
// (without Node) and fails when the committed bundle is stale.

import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const OUT = join(ROOT, 'api', 'web', 'field');
const RXDB = join(ROOT, 'clients', 'rxdb');
// Inputs of the build, relative to the repository root (the same list as the Python check).
const INPUT_FILES = ['clients/field/build.mjs', 'clients/field/package-lock.json', 'clients/rxdb/package-lock.json'];
const INPUT_DIRS = ['clients/field/src', 'clients/field/static', 'clients/rxdb/src'];

function filesUnder(dir) {
  const found = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...filesUnder(path));
    else found.push(path);
  }
  return found;
}

const posix = (path) => path.split(sep).join('/');

/** The inputs in a stable order, as repository-relative POSIX paths. */
function inputs() {
  const paths = [...INPUT_FILES];
  for (const dir of INPUT_DIRS) paths.push(...filesUnder(join(ROOT, dir)).map((p) => posix(relative(ROOT, p))));
  return paths.sort();
}

/** sha256 over "path\0length\0bytes" of every input, in path order. */
export function sourceHash() {
  const hash = createHash('sha256');
  for (const path of inputs()) {
    const bytes = readFileSync(join(ROOT, path));
    hash.update(`${path}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}

function packageOf(input) {
  // "../rxdb/node_modules/rxjs/dist/esm5/..." -> the package's directory
  const parts = posix(input).split('/');
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return null;
  const scoped = parts[at + 1].startsWith('@');
  return parts.slice(0, at + (scoped ? 3 : 2)).join('/');
}

function licences(metafile) {
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const dir = packageOf(input);
    if (dir) dirs.add(dir);
  }
  const entries = [];
  for (const dir of [...dirs]) {
    const abs = join(HERE, dir);
    const pkg = JSON.parse(readFileSync(join(abs, 'package.json'), 'utf8'));
    if (!pkg.name) continue; // a nested package.json that only sets "type"
    const file = readdirSync(abs).find((n) => /^(licen[cs]e|copying)(\.|$)/i.test(n));
    const text = file ? readFileSync(join(abs, file), 'utf8').trim() : `License: ${pkg.license}`;
    entries.push({ name: pkg.name, version: pkg.version, license: pkg.license, text });
  }
  const unique = new Map(entries.map((e) => [`${e.name}@${e.version}`, e]));
  const sorted = [...unique.values()].sort((a, b) => a.name.localeCompare(b.name));
  const header =
    'Libraries bundled into app.js (changlang field app), with their licences.\n' +
    sorted.map((e) => `  ${e.name} ${e.version} (${e.license})`).join('\n') +
    '\n';
  return (
    header +
    sorted.map((e) => `\n${'='.repeat(72)}\n${e.name} ${e.version} (${e.license})\n${'='.repeat(72)}\n${e.text}\n`).join('')
  );
}

async function build() {
  const hash = sourceHash();
  const result = await esbuild.build({
    entryPoints: [join(HERE, 'src', 'main.mjs')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['chrome100', 'safari15', 'firefox100'],
    minify: true,
    legalComments: 'none', // the licences ship beside the bundle, in LICENSES.txt
    charset: 'utf8',
    metafile: true,
    absWorkingDir: HERE,
    // The app and the wrapper share one copy of rxdb, rxjs and graphql-ws: ../rxdb's.
    nodePaths: [join(RXDB, 'node_modules')],
    // The wrapper imports Node's `ws`; in the browser it is the built-in WebSocket.
    alias: { ws: join(HERE, 'src', 'browser-ws.mjs') },
    define: { 'process.env.NODE_ENV': '"production"' },
    banner: { js: `/* changlang field app; build ${hash}; sources: clients/field (npm run build) */` },
  });
  const files = new Map();
  files.set('app.js', Buffer.from(result.outputFiles[0].contents));
  const sw = readFileSync(join(HERE, 'static', 'sw.js'), 'utf8').replace('__BUILD__', hash.slice(0, 16));
  files.set('sw.js', Buffer.from(sw));
  for (const name of readdirSync(join(HERE, 'static')).sort()) {
    if (name !== 'sw.js') files.set(name, readFileSync(join(HERE, 'static', name)));
  }
  files.set('LICENSES.txt', Buffer.from(licences(result.metafile)));
  const listing = {};
  for (const [name, bytes] of [...files.entries()].sort()) {
    listing[name] = createHash('sha256').update(bytes).digest('hex');
  }
  files.set('BUILD.json', Buffer.from(JSON.stringify({ sourceHash: hash, inputs: inputs(), files: listing }, null, 2) + '\n'));
  return files;
}

const files = await build();
if (process.argv.includes('--check')) {
  const stale = [];
  for (const [name, bytes] of files) {
    const path = join(OUT, name);
    if (!existsSync(path) || !readFileSync(path).equals(bytes)) stale.push(name);
  }
  if (stale.length) {
    console.error(`api/web/field is stale (${stale.join(', ')}): run npm run build --prefix clients/field`);
    process.exit(1);
  }
  console.log('api/web/field matches its sources');
} else {
  mkdirSync(OUT, { recursive: true });
  for (const [name, bytes] of files) writeFileSync(join(OUT, name), bytes);
  console.log(`wrote ${files.size} files to api/web/field (app.js ${files.get('app.js').length} bytes)`);
}
