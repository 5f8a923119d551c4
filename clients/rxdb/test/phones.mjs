// Shared machinery of the real-client scenarios: simulated phones (an RxDB database in memory,
// replicated through the project's wrapper, behind its own fault proxy), the server's state
// read through its own pull, and event-driven waits with deadlines.

import { createRxDatabase, addRxPlugin } from 'rxdb';
import { getRxStorageMemory } from 'rxdb/plugins/storage-memory';
import { RxDBDevModePlugin, disableWarnings } from 'rxdb/plugins/dev-mode';
import { wrappedValidateAjvStorage } from 'rxdb/plugins/validate-ajv';
import { merge, Subject } from 'rxjs';
import { replicateChanglang, collectionCreator, deepEqual, COLLECTIONS } from '../src/index.mjs';
import { startFaultProxy } from './fault-proxy.mjs';

export const DEMO_PASSWORD = process.env.CHANGLANG_DEMO_PASSWORD || 'changlang-demo';

// Dev mode checks every schema and, with the validating storage, every document written:
// a document the server sends that the schema rejects (a null where none is allowed) fails.
if (process.env.CHANGLANG_RXDB_DEV_MODE !== '0') {
  disableWarnings();
  addRxPlugin(RxDBDevModePlugin);
}

export function log(...args) {
  process.stderr.write(`[${new Date().toISOString().slice(11, 23)}] ${args.join(' ')}\n`);
}

/** Parse `--key value` pairs; `--config JSON` may give them all at once. */
export function parseArgs(argv = process.argv.slice(2)) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1];
  if (args.config) Object.assign(args, JSON.parse(args.config));
  if (process.env.SCENARIO_CONFIG) Object.assign(args, JSON.parse(process.env.SCENARIO_CONFIG));
  return args;
}

export async function graphql(server, query, variables = {}, token) {
  const response = await fetch(`${server}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** Log in as a demo volunteer (for running a scenario by hand). */
export async function login(server, username, deviceName) {
  const data = await graphql(
    server,
    `mutation($u: String!, $p: String!, $d: String!) { login(username: $u, password: $p, deviceName: $d) {
       __typename ... on AuthSession { accessToken deviceId } ... on Error { code message } } }`,
    { u: username, p: DEMO_PASSWORD, d: deviceName },
  );
  if (data.login.__typename !== 'AuthSession') throw new Error(`login ${username}: ${JSON.stringify(data.login)}`);
  return { username, token: data.login.accessToken, deviceId: data.login.deviceId };
}

/** The accounts to use: from the config (`accounts: [{username, token, deviceId}]`) or log in. */
export async function accountsFrom(args, usernames) {
  if (args.accounts) return args.accounts;
  const names = args.login ? args.login.split(',') : usernames;
  return Promise.all(names.map((u, i) => login(args.server, u, `scenario-phone-${i + 1}`)));
}

/** Every document the server holds for this account, tombstones included, via its own pull. */
export async function serverDocuments(server, token, name, limit = 200) {
  const fields = Object.keys(COLLECTIONS[name].schema.properties).join(' ');
  const up = name[0].toUpperCase() + name.slice(1);
  const docs = new Map();
  let checkpoint = null;
  for (;;) {
    const data = await graphql(
      server,
      `query($c: ${up}InputCheckpoint, $l: Int!) { pull${up}(checkpoint: $c, limit: $l) {
         documents { ${fields} deleted } checkpoint { id updatedAt } } }`,
      { c: checkpoint, l: limit },
      token,
    );
    const page = data[`pull${up}`];
    for (const doc of page.documents) docs.set(doc.id, doc);
    if (page.documents.length < limit) return docs;
    checkpoint = page.checkpoint;
  }
}

/** A phone's live documents, as plain JSON without RxDB's meta fields. */
export async function phoneDocuments(db, name) {
  const docs = new Map();
  for (const doc of await db[name].find().exec()) {
    const json = doc.toJSON();
    docs.set(json.id, json);
  }
  return docs;
}

/** The differences between a phone and the server (empty: equal). */
export function differences(phoneDocs, serverDocs, schemaFields) {
  const out = [];
  for (const [id, doc] of serverDocs) {
    const mine = phoneDocs.get(id);
    if (doc.deleted) {
      if (mine) out.push({ id, problem: 'deleted on the server, alive on the phone' });
      continue;
    }
    if (!mine) {
      out.push({ id, problem: 'missing on the phone' });
      continue;
    }
    for (const field of schemaFields) {
      if (!deepEqual(mine[field], doc[field])) out.push({ id, field, phone: mine[field], server: doc[field] });
    }
  }
  for (const id of phoneDocs.keys()) if (!serverDocs.has(id)) out.push({ id, problem: 'on the phone only' });
  return out;
}

/** Resolve when `check()` is truthy; re-checked on every event of `events$`, else every `tickMs`. */
export function eventually(check, { timeoutMs = 20_000, events$, tickMs = 250, what = 'condition' } = {}) {
  return new Promise((resolve, reject) => {
    let done = false;
    let running = false;
    let again = false;
    const finish = (fn, value) => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      clearInterval(ticker);
      if (sub) sub.unsubscribe();
      fn(value);
    };
    const attempt = async () => {
      if (done) return;
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        const value = await check();
        if (value) finish(resolve, value);
      } catch (error) {
        finish(reject, error);
      } finally {
        running = false;
        if (again && !done) {
          again = false;
          attempt();
        }
      }
    };
    const deadline = setTimeout(() => finish(reject, new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    const ticker = setInterval(attempt, tickMs);
    const sub = events$ ? events$.subscribe(() => attempt()) : null;
    attempt();
  });
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
    }),
  ]);
}

let dbCounter = 0;

/**
 * A simulated phone: its own fault proxy, an in-memory RxDB database with the collections,
 * each replicated through replicateChanglang.
 */
export async function startPhone({ label, server, account, collections, retryTime = 300, seed = 1, pushBatchSize, session }) {
  const proxy = await startFaultProxy({ target: server, seed });
  const storage = process.env.CHANGLANG_RXDB_DEV_MODE !== '0'
    ? wrappedValidateAjvStorage({ storage: getRxStorageMemory() })
    : getRxStorageMemory();
  const db = await createRxDatabase({
    name: `phone${++dbCounter}${label.replace(/[^a-z0-9]/gi, '').toLowerCase()}`,
    storage,
    multiInstance: false,
  });
  const resolutions = [];
  await db.addCollections(
    collectionCreator(collections, {
      onResolved: (r) => resolutions.push({ collection: r.collection, id: r.id, refused: r.refused, kept: r.kept }),
    }),
  );
  const streamed = new Map(); // collection -> Set of ids the stream delivered
  const streamed$ = new Subject();
  const errors = [];
  const replications = {};
  // Every time the phone's socket (re)connects: a scenario that cut the network waits for the
  // stream to be back before it counts on live delivery.
  let connections = 0;
  const connected$ = new Subject();
  const streamConnected = () => {
    connections += 1;
    connected$.next(connections);
  };
  const closes = []; // every close of the phone's socket, as graphql-ws saw it
  const streamClosed = (event) => closes.push({ code: event.code, reason: event.reason });
  const streamConnectedSince = (seen, ms, what) =>
    withTimeout(
      new Promise((resolve) => {
        if (connections > seen) return resolve();
        const sub = connected$.subscribe((n) => {
          if (n > seen) {
            sub.unsubscribe();
            resolve();
          }
        });
      }),
      ms,
      what,
    );
  for (const name of collections) {
    streamed.set(name, new Set());
    const state = replicateChanglang({
      collection: db[name],
      url: proxy.url,
      wsUrl: proxy.wsUrl,
      token: account.token,
      deviceId: account.deviceId,
      retryTime,
      ...(pushBatchSize ? { pushBatchSize } : {}),
      ...(session ? { session } : {}),
      // All collections of a phone share one socket (one per URL): hear when it is up.
      wsOptions: { on: { connected: () => streamConnected(), closed: (event) => streamClosed(event) } },
      onStream: (bulk) => {
        for (const doc of bulk.documents) streamed.get(name).add(doc.id);
        streamed$.next({ collection: name, ids: bulk.documents.map((d) => d.id) });
      },
    });
    state.error$.subscribe((error) => {
      errors.push({ collection: name, code: error.code, message: String(error.message).slice(0, 200) });
    });
    replications[name] = state;
  }
  const changes$ = merge(streamed$, ...collections.map((name) => db[name].$));
  const phone = {
    label,
    account,
    proxy,
    db,
    replications,
    streamed,
    streamed$,
    changes$,
    errors,
    resolutions,
    closes,
    /** Pulled everything, the live stream is connected, and the resync it starts is done. */
    async initialSync(ms = 30_000) {
      await withTimeout(
        Promise.all(Object.values(replications).map((r) => r.awaitInitialReplication())),
        ms,
        `${label}: initial replication`,
      );
      await streamConnectedSince(0, ms, `${label}: the stream's socket to connect`);
      await phone.inSync(ms);
    },
    async inSync(ms = 30_000) {
      await withTimeout(
        Promise.all(Object.values(replications).map((r) => r.awaitInSync())),
        ms,
        `${label}: in sync`,
      );
    },
    /** How many times the stream's socket has connected so far. */
    connections: () => connections,
    /** Wait until the socket has connected again after ``seen`` connections. */
    async streamBack(seen, ms = 30_000) {
      await streamConnectedSince(seen, ms, `${label}: the stream's socket to reconnect`);
    },
    /** Resync now (after a restore, RxDB would otherwise wait for the socket's reconnect). */
    reSync() {
      for (const r of Object.values(replications)) r.reSync();
    },
    async stop() {
      await Promise.all(Object.values(replications).map((r) => r.cancel()));
      await db.close();
      await proxy.close();
    },
  };
  return phone;
}

/**
 * Wait until every phone equals the server, collection by collection.
 *
 * `converged`: the same live documents with the same client-owned fields on every phone as on
 * the server. Server-owned fields (the position `updatedAt`, a note's author...) are compared
 * too and reported in `staleServerOwned`; with `strict` they must match as well.
 */
export async function converge({ server, phones, collections, timeoutMs = 30_000, strict = false }) {
  let last = null;
  let stale = null;
  const events$ = merge(...phones.map((p) => p.changes$));
  try {
    await eventually(
      async () => {
        last = {};
        stale = { count: 0, sample: [] };
        let equal = true;
        for (const name of collections) {
          const { schema, serverOwned } = COLLECTIONS[name];
          const fields = Object.keys(schema.properties);
          for (const phone of phones) {
            const serverDocs = await serverDocuments(server, phone.account.token, name);
            const diff = differences(await phoneDocuments(phone.db, name), serverDocs, fields);
            const clientDiff = diff.filter((d) => !serverOwned.includes(d.field));
            const serverDiff = diff.filter((d) => serverOwned.includes(d.field));
            stale.count += serverDiff.length;
            stale.sample.push(...serverDiff.slice(0, 3).map((d) => ({ phone: phone.label, collection: name, ...d })));
            last[`${phone.label}/${name}`] = (strict ? diff : clientDiff).slice(0, 5);
            if (clientDiff.length || (strict && serverDiff.length)) equal = false;
          }
        }
        return equal;
      },
      { timeoutMs, events$, tickMs: 500, what: 'phones to equal the server' },
    );
    return { converged: true, staleServerOwned: stale };
  } catch (error) {
    return { converged: false, error: error.message, differences: last, staleServerOwned: stale };
  }
}

export function emit(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
