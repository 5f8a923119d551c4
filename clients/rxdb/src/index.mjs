// replicateChanglang: RxDB's stock GraphQL replication, set up the way the changlang server
// needs it. Copy this directory into your app; it has no build step (ES modules).
//
// What it fixes or sets, and why (see README.md and the server's SYNC.md):
// - the stock query builders emit `tags { }` for an array field, an invalid selection: the
//   builders are wrapped to drop empty selections;
// - `pull.batchSize` is always set (the default mismatch stops each resync after 20 documents);
// - the WebSocket retries for ever with a capped backoff (the default gives up after 5 tries,
//   about 40 s offline, and its backoff doubles without limit: 17 minutes after 10 failures);
// - `headers` holds exactly `{Authorization}`: the subscription sends the whole headers object
//   as its `headers` variable, whose input type has only that key;
// - `deletedField: 'deleted'`, checkpoint fields `id` and `updatedAt`;
// - a field-by-field conflict handler (./conflict.mjs) goes on the collection itself (RxDB
//   takes it from `addCollections`): use `collectionCreator()` below.

import {
  replicateGraphQL,
  pullQueryBuilderFromRxSchema,
  pushQueryBuilderFromRxSchema,
  pullStreamBuilderFromRxSchema,
} from 'rxdb/plugins/replication-graphql';
import { COLLECTIONS } from './schemas.mjs';
import { fieldByFieldConflictHandler } from './conflict.mjs';

export { COLLECTIONS } from './schemas.mjs';
export { fieldByFieldConflictHandler, mergeFieldByField, deepEqual } from './conflict.mjs';

export const DELETED_FIELD = 'deleted';
export const CHECKPOINT_FIELDS = ['id', 'updatedAt'];
export const DEFAULT_PULL_BATCH = 100;
export const DEFAULT_PUSH_BATCH = 50; // the server takes at most 500 rows per push

/** Drop every empty selection (`tags {\n\n  }`) the stock builders emit for array fields. */
export function dropEmptySelections(query) {
  let previous;
  let fixed = query;
  do {
    previous = fixed;
    fixed = fixed.replace(/[ \t]*[A-Za-z_][A-Za-z0-9_]*[ \t]*\{\s*\}[ \t]*\n?/g, '');
  } while (fixed !== previous);
  return fixed;
}

/** The stock builders, with the array-field bug fixed. */
export function changlangQueryBuilders(name, schema) {
  const input = { schema, checkpointFields: CHECKPOINT_FIELDS, deletedField: DELETED_FIELD, headerFields: ['Authorization'] };
  const pull = pullQueryBuilderFromRxSchema(name, input);
  const push = pushQueryBuilderFromRxSchema(name, input);
  const stream = pullStreamBuilderFromRxSchema(name, input);
  return {
    pull: (checkpoint, limit) => {
      const q = pull(checkpoint, limit);
      return { ...q, query: dropEmptySelections(q.query) };
    },
    push: (rows) => {
      const q = push(rows);
      return { ...q, query: dropEmptySelections(q.query) };
    },
    stream: (headers) => {
      const q = stream(headers);
      return { ...q, query: dropEmptySelections(q.query) };
    },
  };
}

/**
 * What to give `db.addCollections()` for the named collections: each schema with the
 * field-by-field conflict handler. `onResolved` (optional) hears every resolution.
 */
export function collectionCreator(names, { onResolved } = {}) {
  const creators = {};
  for (const name of names) {
    const spec = COLLECTIONS[name];
    if (!spec) throw new Error(`unknown changlang collection: ${name}`);
    creators[name] = {
      schema: spec.schema,
      conflictHandler: fieldByFieldConflictHandler({
        serverOwned: spec.serverOwned,
        onResolved: onResolved && ((info) => onResolved({ collection: name, ...info })),
      }),
    };
  }
  return creators;
}

/** A capped, jittered backoff for the WebSocket: 0.5 s, 1 s, 2 s, ... at most `maxMs`. */
export function cappedBackoff(maxMs = 10_000) {
  return (retries) =>
    new Promise((resolve) => setTimeout(resolve, Math.min(maxMs, 500 * 2 ** retries) + Math.floor(Math.random() * 300)));
}

/**
 * Start replicating one collection with the changlang server.
 *
 * collection   the RxCollection (created with `collectionCreator`, so it has the conflict handler)
 * url          the GraphQL HTTP endpoint, e.g. https://host/graphql
 * wsUrl        the GraphQL WebSocket endpoint, e.g. wss://host/graphql (omit: no live stream)
 * token        the access token, or
 * getToken     async () => the current access token (called before every request and used
 *              for every (re)subscription, so a refreshed token is picked up)
 * deviceId     this phone's device id (from login): part of the replication identifier, so a
 *              phone signed in on another device starts its own checkpoints
 * name         the GraphQL collection name (default: the RxDB collection's name)
 * batchSize, pushBatchSize, retryTime, live, autoStart, waitForLeadership, wsOptions: as RxDB
 * onStream(bulk) called with every page the stream delivers (before RxDB applies it)
 */
export function replicateChanglang({
  collection,
  url,
  wsUrl,
  token,
  getToken,
  deviceId,
  name = collection.name,
  batchSize = DEFAULT_PULL_BATCH,
  pushBatchSize = DEFAULT_PUSH_BATCH,
  retryTime = 5_000,
  live = true,
  autoStart = true,
  waitForLeadership = false,
  wsOptions = {},
  fetch: baseFetch = globalThis.fetch,
  onStream,
}) {
  if (!token && !getToken) throw new Error('replicateChanglang: give token or getToken');
  if (!deviceId) throw new Error('replicateChanglang: give the deviceId the server issued at login');
  const spec = COLLECTIONS[name];
  const schema = spec ? spec.schema : collection.schema.jsonSchema;
  const builders = changlangQueryBuilders(name, schema);

  let current = token;
  const bearer = () => `Bearer ${current}`;
  const refresh = async () => {
    if (getToken) {
      const fresh = await getToken();
      if (fresh && fresh !== current) {
        current = fresh;
        state.setHeaders({ Authorization: bearer() });
      }
    }
  };
  // Every HTTP request asks getToken first; the header set here wins over RxDB's copy.
  const authorizedFetch = async (request) => {
    await refresh();
    const headers = new Headers(request.headers);
    headers.set('Authorization', bearer());
    // The phone's clock, for the server's skew check on offline ballots. Sent on HTTP only:
    // an extra key in `headers` would break the subscription (XInputHeaders).
    headers.set('X-Device-Time', String(Date.now()));
    return baseFetch(new Request(request, { headers }));
  };
  if (getToken && !current) {
    throw new Error('replicateChanglang: with getToken, also give the first token (token)');
  }

  const state = replicateGraphQL({
    collection,
    replicationIdentifier: `changlang-${name}-${deviceId}-${url}`,
    url: wsUrl ? { http: url, ws: wsUrl } : { http: url },
    // Exactly this key: the subscription's XInputHeaders has only `Authorization`.
    headers: { Authorization: bearer() },
    deletedField: DELETED_FIELD,
    live,
    retryTime,
    autoStart,
    waitForLeadership,
    fetch: authorizedFetch,
    push: { queryBuilder: builders.push, batchSize: pushBatchSize },
    pull: {
      queryBuilder: builders.pull,
      streamQueryBuilder: builders.stream,
      batchSize,
      responseModifier: onStream
        ? async (data, origin) => {
            if (origin === 'stream') await onStream(data);
            return data;
          }
        : undefined,
      wsOptions: {
        retryAttempts: Number.MAX_SAFE_INTEGER,
        retryWait: cappedBackoff(),
        keepAlive: 10_000,
        connectionAckWaitTimeout: 10_000,
        // Every (re)subscription carries the current token, not the one from the start.
        jsonMessageReplacer: (key, value) =>
          key === 'Authorization' && typeof value === 'string' ? bearer() : value,
        ...wsOptions,
      },
    },
  });
  return state;
}
