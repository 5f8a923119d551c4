// Scenario C: a phone's session outlives its access tokens, and tells the app when it cannot.
//
//   node test/scenario-c.mjs --server http://127.0.0.1:8000 --tokenSeconds 2
//   node test/scenario-c.mjs --config '{"server": "...", "tokenSeconds": 2, "phone": {...}}'
//
// Run it against a server whose access tokens live a few seconds (CHANGLANG_ACCESS_TOKEN_SECONDS).
// 1. The phone (the app's getToken refreshes through refreshSession) syncs, then stays idle for
//    longer than a token lives: the server closes its socket (4401), the wrapper renews the
//    token and reconnects, and a resident renamed in the office afterwards reaches the phone
//    through the live stream.
// 2. Refreshing then fails (the server refuses the refresh token): the app hears
//    loginRequired$ once, the phone stops asking the server, a visit note written meanwhile
//    stays on the phone; once the user logs in again it reaches the server, and the stream
//    works again.
//
// Prints one JSON line on stdout; progress on stderr. Exit code 0 when every check held.

import { randomUUID } from 'node:crypto';
import { createSession } from '../src/index.mjs';
import { startPhone, parseArgs, eventually, log, emit, graphql, serverDocuments, DEMO_PASSWORD } from './phones.mjs';

const COLLECTIONS = ['resident', 'visitNote'];
const LEEWAY_SECONDS = 5; // the server accepts a token this long past its exp
const args = parseArgs();
const server = args.server;
if (!server) throw new Error('give --server http://host:port');
const tokenSeconds = Number(args.tokenSeconds || 2);
const phoneUser = args.phoneUser || 'member2';
const officeUser = args.officeUser || 'chief2';
const started = Date.now();
const steps = {};
const mark = (step) => {
  steps[step] = Date.now() - started;
  log(step);
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const LOGIN = `mutation($u: String!, $p: String!, $d: String!, $device: UUID) {
  login(username: $u, password: $p, deviceName: $d, deviceId: $device) {
    __typename ... on AuthSession { accessToken accessTokenExpiresAt refreshToken deviceId } } }`;
const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) {
  __typename ... on AuthSession { accessToken accessTokenExpiresAt refreshToken }
  ... on Error { code message } } }`;
const RENAME = `mutation($id: UUID!, $name: String!) {
  updateResident(id: $id, fields: {name: $name}) { __typename } }`;

async function login(username, deviceId) {
  const data = await graphql(server, LOGIN, { u: username, p: DEMO_PASSWORD, d: 'scenario-c', device: deviceId });
  if (data.login.__typename !== 'AuthSession') throw new Error(`login ${username}: ${JSON.stringify(data.login)}`);
  return data.login;
}

// The app's side of the session: what a real app keeps and how it refreshes.
const app = {
  auth: null,
  refreshes: 0,
  refreshFailures: 0,
  hints: 0,
  loginRequired: [],
  set(session) {
    this.auth = { access: session.accessToken, refresh: session.refreshToken, expiresAt: Date.parse(session.accessTokenExpiresAt) };
  },
  async getToken({ rejected } = {}) {
    if (rejected) app.hints += 1;
    const { auth } = app;
    if (rejected !== auth.access && Date.now() < auth.expiresAt - 500) return auth.access;
    const data = await graphql(server, REFRESH, { t: auth.refresh });
    const renewed = data.refreshSession;
    if (renewed.__typename !== 'AuthSession') {
      app.refreshFailures += 1;
      throw new Error(`refresh refused: ${renewed.code}`);
    }
    app.refreshes += 1;
    app.set(renewed);
    return app.auth.access;
  },
};

/** Rename the resident in the office until the phone's stream delivers it (the stream may be
 *  between sockets for a moment; a resync would deliver it too, but not through the stream). */
async function renameUntilStreamed(rid, token, prefix) {
  phone.streamed.get('resident').clear();
  for (let attempt = 0; attempt < 30; attempt += 1) {
    const name = `${prefix}-${attempt}`;
    await graphql(server, RENAME, { id: rid, name }, token);
    try {
      await eventually(async () => phone.streamed.get('resident').has(rid), {
        events$: phone.streamed$, timeoutMs: 1_000, tickMs: 100, what: 'the stream',
      });
      await eventually(async () => (await phone.db.resident.findOne(rid).exec())?.name?.startsWith(prefix), {
        events$: phone.changes$, timeoutMs: 5_000, what: 'the renamed resident on the phone',
      });
      return attempt;
    } catch {
      // not delivered by the stream yet: try again
    }
  }
  throw new Error(`no rename reached the phone's stream (${prefix})`);
}

const first = await login(phoneUser);
app.set(first);
const session = createSession({ token: first.accessToken, getToken: app.getToken });
session.loginRequired$.subscribe((info) => {
  app.loginRequired.push({ at: Date.now() - started, ...info });
  log(`loginRequired: ${info.reason}`);
});
const phone = await startPhone({
  label: 'phone',
  server,
  account: { username: phoneUser, token: first.accessToken, deviceId: first.deviceId },
  collections: COLLECTIONS,
  session,
  seed: 33,
});
const result = { scenario: 'C', tokenSeconds };
let ok = false;
try {
  await phone.initialSync();
  mark('initial sync');
  const residents = await phone.db.resident.find({ sort: [{ id: 'asc' }] }).exec();
  const target = residents.find((r) => r.name && r.householdId);
  if (!target) throw new Error('the phone holds no resident');
  const rid = target.id;

  // 1. Idle for longer than a token lives (and verifies), then a change made in the office.
  const connectionsBefore = phone.connections();
  const idleMs = (tokenSeconds + LEEWAY_SECONDS + 3) * 1000;
  await sleep(idleMs);
  result.idle = {
    ms: idleMs,
    closes: phone.closes.slice(),
    reconnected: phone.connections() > connectionsBefore,
    refreshes: app.refreshes,
    hints: app.hints,
  };
  mark('idle past the token lifetime');
  const office = await login(officeUser);
  result.idle.renameAttempts = await renameUntilStreamed(rid, office.accessToken, '王芳');
  mark('the rename reached the phone live');

  // 2. Refreshing fails: the server no longer knows the phone's refresh token.
  app.auth.refresh = 'expired-or-purged-refresh-token';
  await eventually(async () => app.loginRequired.length > 0, {
    timeoutMs: (tokenSeconds + LEEWAY_SECONDS + 10) * 1000, tickMs: 100, what: 'loginRequired$',
  });
  mark('the app was told to log in again');
  const noteId = randomUUID();
  await phone.db.visitNote.insert({
    id: noteId, householdId: target.householdId, category: 'routine', text: '未登录时写的记录', followUp: false, visitedAt: Date.now(),
  });
  const before = { http: phone.proxy.stats.httpRequests, ws: phone.proxy.stats.wsConnections, refreshes: app.refreshFailures };
  const quietMs = 6_000;
  await sleep(quietMs);
  result.loggedOut = {
    quietMs,
    httpRequests: phone.proxy.stats.httpRequests - before.http,
    wsConnections: phone.proxy.stats.wsConnections - before.ws,
    refreshAttempts: app.refreshFailures - before.refreshes,
    loginRequired: app.loginRequired.length,
    noteOnPhone: Boolean(await phone.db.visitNote.findOne(noteId).exec()),
    noteOnServer: (await serverDocuments(server, (await login(officeUser)).accessToken, 'visitNote')).has(noteId),
  };
  mark('quiet while logged out');

  // The user logs in again on the same device; the note goes up, the stream is back.
  app.set(await login(phoneUser, first.deviceId));
  session.loginRestored();
  await eventually(async () => (await serverDocuments(server, (await login(officeUser)).accessToken, 'visitNote')).has(noteId), {
    timeoutMs: 20_000, tickMs: 500, what: 'the note written while logged out to reach the server',
  });
  mark('the note reached the server');
  const attempts = await renameUntilStreamed(rid, (await login(officeUser)).accessToken, '李娜');
  result.restored = { noteOnServer: true, renameAttempts: attempts, loginRequired: app.loginRequired.length };
  result.loginRequired = app.loginRequired;
  mark('live again after the new login');
  ok = true;
} catch (error) {
  result.error = String(error && error.stack ? error.stack : error);
} finally {
  result.seconds = (Date.now() - started) / 1000;
  result.steps = steps;
  result.errors = phone.errors.slice(0, 10).map((e) => ({ ...e }));
  result.ok = ok;
  emit(result);
  await phone.stop();
  process.exit(ok ? 0 : 1);
}
