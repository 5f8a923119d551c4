// The volunteer's session: login, the self-refreshing access token, logout.
//
// Kept in localStorage (the phone works for days offline, across reloads): the access token,
// its expiry, the single-use refresh token, the device id the server issued, and the viewer
// (name, community, posts). A refresh happens under a Web Lock, so two tabs never present one
// refresh token twice (the server would take that for a stolen token and end the session).

const KEY = 'changlang-field-session';
const REFRESH_MARGIN_MS = 120_000;

// The login's own answer carries the viewer's identity only; the community and posts are read
// with the new token (they need a signed-in request).
const VIEWER = `viewer { accountId displayName kind }`;
const VIEWER_DETAIL = `query FieldViewer { viewer { accountId displayName kind communityName posts { id role grid { name } } } }`;
const SESSION = `... on AuthSession { accessToken accessTokenExpiresAt refreshToken deviceId ${VIEWER} }
  ... on Error { __typename code message }`;
const LOGIN = `mutation FieldLogin($u: String!, $p: String!, $d: UUID) {
  login(username: $u, password: $p, deviceName: "field", deviceId: $d) { __typename ${SESSION} } }`;
const REFRESH = `mutation FieldRefresh($t: String!) { refreshSession(refreshToken: $t) { __typename ${SESSION} } }`;
const LOGOUT = `mutation FieldLogout($t: String!) { logout(refreshToken: $t) { __typename } }`;

/** The server refused the credentials or the refresh token: a new login is needed. */
export class RefusedError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

async function graphql(query, variables, token) {
  const headers = { 'Content-Type': 'application/json', 'Accept-Language': 'zh' };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch('/graphql', {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const body = await response.json();
  if (body.errors && body.errors.length) throw new Error(body.errors[0].message);
  return body.data;
}

export function loadSession() {
  try {
    return JSON.parse(localStorage.getItem(KEY) || 'null');
  } catch {
    return null;
  }
}

async function store(result, username) {
  if (result.__typename !== 'AuthSession') throw new RefusedError(result.code, result.message);
  const previous = loadSession();
  let viewer = previous && previous.viewer && previous.viewer.accountId === result.viewer.accountId ? previous.viewer : result.viewer;
  try {
    const detail = await graphql(VIEWER_DETAIL, {}, result.accessToken);
    if (detail.viewer) viewer = detail.viewer;
  } catch {
    // the identity is enough to work; posts and community name come with the next refresh
  }
  const session = {
    username,
    accessToken: result.accessToken,
    accessTokenExpiresAt: Date.parse(result.accessTokenExpiresAt),
    lifetimeMs: Math.max(1000, Date.parse(result.accessTokenExpiresAt) - Date.now()),
    refreshToken: result.refreshToken,
    deviceId: result.deviceId,
    viewer: { communityName: '', posts: [], ...viewer },
  };
  localStorage.setItem(KEY, JSON.stringify(session));
  return session;
}

/** Log in; on a re-login pass the device id, so the device keeps its checkpoints. */
export async function login(username, password, deviceId) {
  const data = await graphql(LOGIN, { u: username, p: password, d: deviceId || null });
  return store(data.login, username);
}

function withLock(name, work) {
  if (navigator.locks) return navigator.locks.request(name, work);
  return work();
}

/**
 * A current access token. Refreshes when the token is about to expire, or when the server
 * just refused it (`rejected`). Offline, the stored token is returned as it is (the request
 * fails on the network anyway and is retried). Throws RefusedError when the server refuses
 * the refresh token: the user must log in again (nothing local is lost).
 */
export async function currentToken({ rejected } = {}) {
  return withLock('changlang-field-refresh', async () => {
    const session = loadSession();
    if (!session) throw new RefusedError('LOGGED_OUT', '已退出登录');
    // Renew a little ahead of expiry: two minutes, or a quarter of a short-lived token's life.
    const margin = Math.min(REFRESH_MARGIN_MS, (session.lifetimeMs || REFRESH_MARGIN_MS * 4) / 4);
    const fresh = session.accessTokenExpiresAt - Date.now() > margin;
    if (rejected ? rejected !== session.accessToken : fresh) return session.accessToken; // another tab refreshed
    let data;
    try {
      data = await graphql(REFRESH, { t: session.refreshToken });
    } catch (error) {
      if (rejected) throw error; // the token is refused and cannot be renewed now
      return session.accessToken;
    }
    return (await store(data.refreshSession, session.username)).accessToken;
  });
}

/** End the session on the server when reachable (best effort), and forget it here. */
export async function logout() {
  const session = loadSession();
  localStorage.removeItem(KEY);
  if (!session) return;
  try {
    await graphql(LOGOUT, { t: session.refreshToken });
  } catch {
    // offline: the device's data is wiped anyway; the server's session expires on its own
  }
}

export function forgetSession() {
  localStorage.removeItem(KEY);
}
