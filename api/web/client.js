// A small GraphQL client: HTTP for queries and mutations, graphql-transport-ws for
// subscriptions, and a session that refreshes its short-lived access token on its own.
// A request that cannot reach the server throws OfflineError, so that a page can say so
// (and show what it has kept) instead of doing nothing.

const KEY = "changlang.session";

export class OfflineError extends Error {
  constructor() {
    super("offline");
    this.name = "OfflineError";
  }
}

export const session = {
  load() {
    try {
      return JSON.parse(localStorage.getItem(KEY)) || {};
    } catch {
      return {};
    }
  },
  save(auth, who = {}) {
    const kept = this.load();
    localStorage.setItem(
      KEY,
      JSON.stringify({
        accessToken: auth.accessToken,
        expiresAt: Date.parse(auth.accessTokenExpiresAt),
        refreshToken: auth.refreshToken,
        accountId: who.accountId || kept.accountId || null,
        displayName: who.displayName || kept.displayName || null,
      }),
    );
  },
  identify(viewer) {
    const kept = this.load();
    localStorage.setItem(
      KEY,
      JSON.stringify({ ...kept, accountId: viewer.accountId, displayName: viewer.displayName }),
    );
  },
  clear() {
    localStorage.removeItem(KEY);
  },
  refreshToken() {
    return this.load().refreshToken || null;
  },
  accountId() {
    return this.load().accountId || null;
  },
};

// Requests under way, for the page's progress bar on a slow network.
const watchers = new Set();
let inFlight = 0;
export function onTraffic(watch) {
  watchers.add(watch);
}
function traffic(delta) {
  inFlight += delta;
  for (const watch of watchers) watch(inFlight);
}

let refreshing = null;

// The server's messages (errors, reasons) come in the page's own language, whatever the
// browser's preference: a Chinese page shows Chinese messages.
const LANGUAGE = document.documentElement.lang || "zh-CN";

async function post(query, variables, token) {
  if (navigator.onLine === false) throw new OfflineError();
  const headers = { "Content-Type": "application/json", "Accept-Language": LANGUAGE };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  traffic(1);
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new OfflineError();
  } finally {
    traffic(-1);
  }
  const body = await response.json();
  if (body.errors && !body.data) throw new Error(body.errors.map((e) => e.message).join("; "));
  return body.data;
}

async function refresh() {
  const { refreshToken } = session.load();
  if (!refreshToken) return null;
  const data = await post(
    `mutation($t: String!) { refreshSession(refreshToken: $t) {
       __typename ... on AuthSession { accessToken accessTokenExpiresAt refreshToken } } }`,
    { t: refreshToken },
  );
  if (data.refreshSession.__typename !== "AuthSession") {
    session.clear();
    return null;
  }
  session.save(data.refreshSession);
  return data.refreshSession.accessToken;
}

export async function accessToken() {
  const stored = session.load();
  if (stored.accessToken && stored.expiresAt - Date.now() > 30_000) return stored.accessToken;
  refreshing = refreshing || refresh().finally(() => (refreshing = null));
  return refreshing;
}

export async function graphql(query, variables = {}, { anonymous = false } = {}) {
  const token = anonymous ? null : await accessToken();
  return post(query, variables, token);
}

// One photo to the upload store (the same one the console's progress reports use); answers
// the {url, sha256} reference raiseProposal takes, or throws with the server's message.
export async function uploadPhoto(file) {
  if (navigator.onLine === false) throw new OfflineError();
  const token = await accessToken();
  const form = new FormData();
  form.append("file", file);
  let response;
  traffic(1);
  try {
    response = await fetch("/console/files", {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Accept-Language": LANGUAGE },
      body: form,
    });
  } catch {
    throw new OfflineError();
  } finally {
    traffic(-1);
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.message || "照片上传失败。");
  return { url: body.url, sha256: body.sha256 };
}

// A stored photo, fetched with the token (the store answers signed-in accounts only) and
// shown from a blob.
export async function photoBlobUrl(url) {
  const token = await accessToken();
  const response = await fetch(new URL(url).pathname, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error("photo");
  return URL.createObjectURL(await response.blob());
}

// graphql-transport-ws: connection_init (with the token) → subscribe → next... Reconnects
// after a dropped connection and resubscribes, so a phone that loses signal catches up.
export function subscribe(query, variables, onData) {
  let socket = null;
  let stopped = false;
  let retry = 0;

  async function open() {
    let token;
    try {
      token = await accessToken();
    } catch {
      token = null;
    }
    if (stopped) return;
    if (!token) {
      retry = Math.min(retry + 1, 6);
      setTimeout(open, 500 * 2 ** retry);
      return;
    }
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
    socket = new WebSocket(url, "graphql-transport-ws");
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: "connection_init", payload: { Authorization: `Bearer ${token}` } }));
    };
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "connection_ack") {
        retry = 0;
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables } }));
      } else if (message.type === "next" && message.payload.data) {
        onData(message.payload.data);
      } else if (message.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      }
    };
    socket.onclose = () => {
      if (stopped) return;
      retry = Math.min(retry + 1, 6);
      setTimeout(open, 500 * 2 ** retry);
    };
  }

  open();
  return () => {
    stopped = true;
    if (socket && socket.readyState <= 1) {
      if (socket.readyState === 1) socket.send(JSON.stringify({ id: "1", type: "complete" }));
      socket.close(1000);
    }
  };
}
