// The phone's session as the replication sees it: which access token to send, when to ask the
// app for a fresh one, and when to tell the app that the user must log in again.
//
// The server closes a live socket with 4401 when its token expires or is refused (get a fresh
// token and reconnect) and with 4403 when the session is over (device revoked, logged out).
// graphql-ws treats 4401 as fatal: the stock client would end live replication for good. So
// the wrapper gives RxDB its own graphql-ws client (RxDB shares one per URL through
// GRAPHQL_WEBSOCKET_BY_URL) whose socket reports a 4401 as "try again later" (1013), and whose
// `connectionParams` ask for a fresh token on every (re)connect.
//
// When the app's getToken fails (throws or gives nothing), or gives a token the server refuses
// again, the session emits `loginRequired$` once and backs off: no request and no socket until
// the backoff has passed or the app calls `loginRestored()`. Local writes stay in RxDB and are
// pushed once a token works again.

import { createClient } from 'graphql-ws/client';
import { WebSocket as NodeWebSocket } from 'ws';
import { Subject } from 'rxjs';
import { GRAPHQL_WEBSOCKET_BY_URL } from 'rxdb/plugins/replication-graphql';

export const CLOSE_TOKEN_EXPIRED = 4401;
export const CLOSE_SESSION_ENDED = 4403;
const TRY_AGAIN_LATER = 1013;

/** The error a request fails with while the session waits for the user to log in again. */
export class LoginRequiredError extends Error {
  constructor(reason, cause) {
    super(`login required: ${reason}`);
    this.name = 'LoginRequiredError';
    this.code = 'LOGIN_REQUIRED';
    this.reason = reason;
    this.cause = cause;
  }
}

/** 1 s, 2 s, 4 s ... at most `maxMs`: how long a failed session waits before it tries again. */
export function sessionBackoff(maxMs = 60_000) {
  return (failures) => Math.min(maxMs, 1000 * 2 ** Math.max(0, failures - 1));
}

/**
 * token        the first access token
 * getToken     async ({ rejected }) => a current access token; `rejected` is the token the
 *              server just refused (expired), so the app knows to refresh rather than reuse it
 * backoff      failures => ms to wait after the n-th failure in a row
 */
export function createSession({ token, getToken, backoff = sessionBackoff(), now = Date.now }) {
  let current = token;
  let failures = 0;
  let resumeAt = 0;
  let rejected = null;
  let epoch = 0; // a new login starts a new epoch: failures of an older one do not count
  let asking = null; // one getToken call at a time: two refreshes with one refresh token
  //                    would look like a stolen token to the server, which ends the session
  const waiters = new Set();
  const loginRequired$ = new Subject();

  const fail = (reason, cause, since = epoch) => {
    if (since !== epoch) return new LoginRequiredError(reason, cause);
    failures += 1;
    resumeAt = now() + backoff(failures);
    if (failures === 1) loginRequired$.next({ reason, error: cause ? String(cause.message || cause) : undefined });
    return new LoginRequiredError(reason, cause);
  };

  const ask = async () => {
    const since = epoch;
    let next;
    try {
      next = await getToken({ rejected: rejected || undefined });
    } catch (error) {
      throw fail('getToken failed', error, since);
    }
    if (!next) throw fail('getToken gave no token', undefined, since);
    if (rejected && next === rejected) throw fail('getToken gave the refused token again', undefined, since);
    if (since !== epoch) throw new LoginRequiredError('a new login happened meanwhile');
    current = next;
    rejected = null;
    return current;
  };

  const session = {
    loginRequired$: loginRequired$.asObservable(),
    /** The token sent now (also written into every outgoing subscription message). */
    current: () => current,
    /** True while the session waits (a failure streak within its backoff). */
    waiting: () => failures > 0 && now() < resumeAt,
    /** Resolve when the session may try again (at once when it is not waiting). */
    ready() {
      if (!session.waiting()) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, resumeAt - now());
        waiters.add(done);
      });
    },
    /** A token to send now: asks getToken (with the token the server refused, if any). */
    async fresh() {
      if (session.waiting()) throw new LoginRequiredError('waiting for a new login');
      if (!getToken) {
        if (rejected && rejected === current) throw fail('the token was refused and there is no getToken');
        return current;
      }
      if (!asking) {
        const mine = ask().finally(() => {
          if (asking === mine) asking = null;
        });
        asking = mine;
      }
      return asking;
    },
    /** The server refused the current token as expired or invalid (4401, UNAUTHENTICATED). */
    refused() {
      rejected = current;
    },
    /** The server ended the session (4403): the user must log in again. */
    ended() {
      rejected = current;
      fail('the session ended on the server');
    },
    /** The server served the current token (an answer, a stream event): the streak is over. */
    worked() {
      failures = 0;
      resumeAt = 0;
    },
    /** The app logged the user in again: try at once. */
    loginRestored() {
      epoch += 1;
      asking = null;
      failures = 0;
      resumeAt = 0;
      rejected = null;
      for (const done of [...waiters]) done();
    },
  };
  return session;
}

/** A WebSocket class whose 4401 closes reach graphql-ws as 1013 (retried), after `onClose`. */
export function renewingWebSocket(Base, onClose) {
  return class RenewingWebSocket extends Base {
    set onclose(handler) {
      super.onclose = handler
        ? (event) => {
            onClose(event.code);
            if (event.code !== CLOSE_TOKEN_EXPIRED) return handler(event);
            return handler({ type: 'close', code: TRY_AGAIN_LATER, reason: 'token expired; renewing', wasClean: true, target: this });
          }
        : handler;
    }

    get onclose() {
      return super.onclose;
    }
  };
}

/**
 * Put a graphql-ws client for `wsUrl` into RxDB's per-URL map (unless one is there), so that
 * RxDB's replication uses it. It sends a fresh token on every (re)connect, renews the token on
 * 4401, tells the session on 4403, and waits for the session before each retry.
 */
export function provideSocket({ wsUrl, session, retryWait, wsOptions = {}, WebSocketImpl = NodeWebSocket }) {
  if (GRAPHQL_WEBSOCKET_BY_URL.has(wsUrl)) return;
  const onClose = (code) => {
    if (code === CLOSE_TOKEN_EXPIRED) session.refused();
    else if (code === CLOSE_SESSION_ENDED) session.ended();
  };
  const userOn = wsOptions.on || {};
  const socket = createClient({
    retryAttempts: Number.MAX_SAFE_INTEGER,
    keepAlive: 10_000,
    connectionAckWaitTimeout: 10_000,
    ...wsOptions,
    url: wsUrl,
    shouldRetry: () => true,
    webSocketImpl: renewingWebSocket(WebSocketImpl, onClose),
    connectionParams: async () => {
      try {
        return { Authorization: `Bearer ${await session.fresh()}` };
      } catch {
        // Sent anyway: the server closes it (4401) and the retry waits for the session.
        return { Authorization: `Bearer ${session.current()}` };
      }
    },
    retryWait: async (retries) => {
      await retryWait(retries);
      await session.ready();
    },
    on: {
      ...userOn,
      // An acknowledged connection proves nothing (the server checks the token per
      // subscription); a `next` does.
      message: (message) => {
        if (message.type === 'next') session.worked();
        if (userOn.message) userOn.message(message);
      },
    },
  });
  GRAPHQL_WEBSOCKET_BY_URL.set(wsUrl, { url: wsUrl, socket, refCount: 0 });
}
