// The phone's local database (RxDB on IndexedDB through Dexie, the free storage) and its
// replication with the server through the project's wrapper (clients/rxdb).
//
// Collections: the households, residents and visit notes the volunteer's posts cover, and the
// pull-only device notices (why a pushed row was refused). The sync status (online, last
// synced, changes waiting, errors) is one observable value the status bar renders.

import { addRxPlugin, createRxDatabase } from 'rxdb';
import { RxDBCleanupPlugin } from 'rxdb/plugins/cleanup';
import { RxDBJsonDumpPlugin } from 'rxdb/plugins/json-dump';
import { getRxStorageDexie } from 'rxdb/plugins/storage-dexie';
import { BehaviorSubject, merge, of, switchMap } from 'rxjs';
import { collectionCreator, createSession, replicateChanglang } from '../../rxdb/src/index.mjs';
import { currentToken, RefusedError } from './auth.mjs';

export const SYNCED = ['household', 'resident', 'visitNote', 'deviceNotice'];
const STATUS_KEY = 'changlang-field-sync';
const DB_PREFIX = 'changlang-field';

// Deleted documents (a household no longer covered arrives as a bare tombstone) are purged
// from IndexedDB once every replication is in sync, so the device keeps not even their ids.
addRxPlugin(RxDBCleanupPlugin);
// deviceNotice has a field named `collection`, which RxDB documents reserve (a getter): such a
// document cannot be built, so the notices are read as plain data (exportJSON), never queried.
addRxPlugin(RxDBJsonDumpPlugin);

function loadStatus() {
  try {
    return JSON.parse(localStorage.getItem(STATUS_KEY) || '{}');
  } catch {
    return {};
  }
}

/** Open the device's database for one account and start replicating. */
export async function openStore(session, { onLoginRequired } = {}) {
  const saved = loadStatus();
  const status$ = new BehaviorSubject({
    online: navigator.onLine,
    lastSyncedAt: saved.lastSyncedAt || null,
    waiting: Object.keys(saved.pending || {}).length,
    active: false,
    error: null,
    loginRequired: false,
  });
  const pending = saved.pending || {};
  const persist = () =>
    localStorage.setItem(STATUS_KEY, JSON.stringify({ lastSyncedAt: status$.value.lastSyncedAt, pending }));
  const update = (patch) => {
    status$.next({ ...status$.value, ...patch, waiting: Object.keys(pending).length });
    persist();
  };

  const db = await createRxDatabase({
    name: `${DB_PREFIX}-${session.viewer.accountId.replace(/-/g, '')}`,
    storage: getRxStorageDexie(),
    multiInstance: true,
    closeDuplicates: true,
    cleanupPolicy: { minimumDeletedTime: 60_000, runEach: 60_000, awaitReplicationsInSync: true },
  });
  // A row the server answered (merged, or refused: the reason follows as a notice) is settled
  // too: RxDB's sent$ reports only the rows taken as sent.
  await db.addCollections(
    collectionCreator(SYNCED, {
      onResolved: ({ collection, id }) => {
        delete pending[`${collection}:${id}`];
        update({});
      },
    }),
  );

  const phoneSession = createSession({ token: session.accessToken, getToken: currentToken });
  phoneSession.loginRequired$.subscribe((info) => {
    update({ loginRequired: true });
    if (onLoginRequired) onLoginRequired(info);
  });
  const origin = location.origin;
  const replications = SYNCED.map((name) =>
    replicateChanglang({
      collection: db[name],
      url: `${origin}/graphql`,
      wsUrl: `${origin.replace(/^http/, 'ws')}/graphql`,
      session: phoneSession,
      deviceId: session.deviceId,
    }),
  );
  for (const replication of replications) {
    const collection = replication.collection.name;
    replication.sent$.subscribe((doc) => {
      delete pending[`${collection}:${doc.id}`];
      update({});
    });
    replication.error$.subscribe((error) => {
      const cause = error && (error.parameters?.errors?.[0] || error);
      const loginRequired = cause && (cause.code === 'LOGIN_REQUIRED' || cause instanceof RefusedError);
      if (!loginRequired) update({ error: navigator.onLine ? '同步出错，稍后自动重试' : null });
    });
  }
  const markSynced = () => {
    if (navigator.onLine) update({ lastSyncedAt: Date.now(), error: null, loginRequired: false });
  };
  // A round of replication that ends without an error counts as a sync, changes or not.
  let failedThisRound = false;
  for (const replication of replications) replication.error$.subscribe(() => (failedThisRound = true));
  merge(...replications.map((r) => r.active$)).subscribe(() => {
    const active = replications.some((r) => r.active$.getValue?.() ?? false);
    const ended = status$.value.active && !active;
    update({ active });
    if (ended && !failedThisRound) markSynced();
    if (!active) failedThisRound = false;
  });
  for (const replication of replications) {
    replication.received$.subscribe(markSynced);
    replication.sent$.subscribe(markSynced);
  }
  const goOnline = () => {
    update({ online: true });
    syncNow();
  };
  const goOffline = () => update({ online: false, active: false });
  window.addEventListener('online', goOnline);
  window.addEventListener('offline', goOffline);

  async function syncNow() {
    if (!navigator.onLine) return;
    update({ active: true });
    try {
      await phoneSession.fresh().catch(() => undefined);
      for (const replication of replications) replication.reSync();
      await Promise.all(replications.map((r) => r.awaitInSync()));
      markSynced();
    } finally {
      update({ active: false });
    }
  }

  // Refresh the access token ahead of its expiry while online, so a long idle never strands
  // the phone; a refusal turns into loginRequired$ (the prompt), never into lost data.
  const refresher = setInterval(() => {
    if (navigator.onLine && !phoneSession.waiting()) phoneSession.fresh().catch(() => undefined);
  }, 5_000);

  /** Record a local write so the status bar counts it until the server has it. */
  function noteWrite(collection, id) {
    pending[`${collection}:${id}`] = Date.now();
    update({});
  }

  async function close() {
    clearInterval(refresher);
    window.removeEventListener('online', goOnline);
    window.removeEventListener('offline', goOffline);
    await Promise.all(replications.map((r) => r.cancel()));
    await db.close();
  }

  const notices$ = merge(of(null), db.deviceNotice.$).pipe(
    switchMap(() => db.deviceNotice.exportJSON().then((dump) => dump.docs.filter((d) => !d._deleted))),
  );

  return {
    db,
    notices$,
    status$,
    syncNow,
    noteWrite,
    close,
    loginRestored: () => {
      update({ loginRequired: false });
      phoneSession.loginRestored();
    },
    firstSync: () => Promise.all(replications.map((r) => r.awaitInitialReplication())),
  };
}

/** Delete every IndexedDB database and every cache of this origin but the app shell's. */
export async function wipeDevice(store) {
  if (store) {
    try {
      await store.close();
    } catch {
      // closing may fail mid-sync; the databases are deleted below regardless
    }
  }
  localStorage.removeItem(STATUS_KEY);
  const names = indexedDB.databases ? (await indexedDB.databases()).map((d) => d.name) : [];
  await Promise.all(
    names.map(
      (name) =>
        new Promise((resolve) => {
          // Wait for the deletion itself: a connection still closing only delays it (blocked).
          const request = indexedDB.deleteDatabase(name);
          const timer = setTimeout(resolve, 10_000);
          request.onsuccess = request.onerror = () => {
            clearTimeout(timer);
            resolve();
          };
        }),
    ),
  );
  if (self.caches) {
    for (const key of await caches.keys()) if (!key.startsWith('field-shell-')) await caches.delete(key);
  }
}
