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
// - the socket asks `getToken` on every (re)connect and, when the server closes it with 4401
//   (token expired), renews the token and reconnects: the stock client would stop live
//   replication for good (./session.mjs); when getToken fails, `loginRequired$` tells the app
//   and requests back off, keeping every local write;
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
import { createSession, provideSocket } from './session.mjs';

export { COLLECTIONS } from './schemas.mjs';
export { fieldByFieldConflictHandler, mergeFieldByField, deepEqual } from './conflict.mjs';
export {
  createSession,
  LoginRequiredError,
  CLOSE_TOKEN_EXPIRED,
  CLOSE_SESSION_ENDED,
  sessionBackoff,
} from './session.mjs';

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
 * token        the first access token
 * getToken     async ({ rejected }) => a current access token: called before every request and
 *              on every (re)connect of the socket; `rejected` is set when the server just
 *              refused that token (expired): refresh it. Throw (or return nothing) when the
 *              session cannot be renewed: `loginRequired$` fires and requests back off.
 * session      a session from `createSession` to share between replications (default: one
 *              per call; all replications of one socket use the first one's)
 * onLoginRequired(info)  called when the user must log in again (also `state.loginRequired$`)
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
  session: sharedSession,
  onLoginRequired,
}) {
  if (!token && !getToken && !sharedSession) throw new Error('replicateChanglang: give token or getToken');
  if (!deviceId) throw new Error('replicateChanglang: give the deviceId the server issued at login');
  const spec = COLLECTIONS[name];
  const schema = spec ? spec.schema : collection.schema.jsonSchema;
  const builders = changlangQueryBuilders(name, schema);

  if (getToken && !token && !sharedSession) {
    throw new Error('replicateChanglang: with getToken, also give the first token (token)');
  }
  const session = sharedSession || createSession({ token, getToken });
  const bearer = () => `Bearer ${session.current()}`;
  // Every HTTP request asks getToken first (none while the session waits for a new login);
  // the header set here wins over RxDB's copy.
  const authorizedFetch = async (request) => {
    const fresh = await session.fresh();
    const headers = new Headers(request.headers);
    headers.set('Authorization', `Bearer ${fresh}`);
    // The phone's clock, for the server's skew check on offline ballots. Sent on HTTP only:
    // an extra key in `headers` would break the subscription (XInputHeaders).
    headers.set('X-Device-Time', String(Date.now()));
    const response = await baseFetch(new Request(request, { headers }));
    if (await unauthenticated(response)) session.refused();
    else if (response.ok) session.worked();
    return response;
  };
  const retryWait = cappedBackoff();
  if (wsUrl && live) provideSocket({ wsUrl, session, retryWait, wsOptions: socketOptions(wsOptions, bearer) });

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
      wsOptions: socketOptions(wsOptions, bearer),
    },
  });
  // RxDB opens the socket in start(): after a cancel (which disposes it) the next start
  // needs the wrapper's socket again.
  const start = state.start.bind(state);
  state.start = () => {
    if (wsUrl && live) provideSocket({ wsUrl, session, retryWait, wsOptions: socketOptions(wsOptions, bearer) });
    return start();
  };
  state.session = session;
  state.loginRequired$ = session.loginRequired$;
  if (onLoginRequired) session.loginRequired$.subscribe(onLoginRequired);
  return state;
}

function socketOptions(wsOptions, bearer) {
  return {
    // Every (re)subscription carries the current token, not the one from the start.
    jsonMessageReplacer: (key, value) =>
      key === 'Authorization' && typeof value === 'string' ? bearer() : value,
    ...wsOptions,
  };
}

/** Whether a GraphQL answer says the token was refused (``UNAUTHENTICATED``). */
async function unauthenticated(response) {
  if (!response.ok) return false;
  try {
    const body = await response.clone().json();
    return (body.errors || []).some((e) => e && e.extensions && e.extensions.code === 'UNAUTHENTICATED');
  } catch {
    return false;
  }
}
