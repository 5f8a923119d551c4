// A small GraphQL client: HTTP for queries and mutations, graphql-transport-ws for
// subscriptions, and a session that refreshes its short-lived access token on its own.

const KEY = "changlang.session";
const TOKENS = "changlang.changeTokens";

export const session = {
  load() {
    try {
      return JSON.parse(localStorage.getItem(KEY)) || {};
    } catch {
      return {};
    }
  },
  save(auth) {
    localStorage.setItem(
      KEY,
      JSON.stringify({
        accessToken: auth.accessToken,
        expiresAt: Date.parse(auth.accessTokenExpiresAt),
        refreshToken: auth.refreshToken,
      }),
    );
  },
  clear() {
    localStorage.removeItem(KEY);
  },
  refreshToken() {
    return this.load().refreshToken || null;
  },
  // A secret ballot's change token is the only link between a voter and their ballot; it
  // stays on this device and nowhere else.
  changeToken(voteId) {
    const tokens = JSON.parse(localStorage.getItem(TOKENS) || "{}");
    return tokens[voteId] || null;
  },
  keepChangeToken(voteId, token) {
    const tokens = JSON.parse(localStorage.getItem(TOKENS) || "{}");
    tokens[voteId] = token;
    localStorage.setItem(TOKENS, JSON.stringify(tokens));
  },
};

let refreshing = null;

// The server's messages (errors, reasons) come in the page's own language, whatever the
// browser's preference: a Chinese page shows Chinese messages.
const LANGUAGE = document.documentElement.lang || "zh-CN";

async function post(query, variables, token) {
  const headers = { "Content-Type": "application/json", "Accept-Language": LANGUAGE };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch("/graphql", {
    method: "POST",
    headers,
    body: JSON.stringify({ query, variables }),
  });
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

// graphql-transport-ws: connection_init (with the token) → subscribe → next... Reconnects
// after a dropped connection and resubscribes, so a phone that loses signal catches up.
export function subscribe(query, variables, onData) {
  let socket = null;
  let stopped = false;
  let retry = 0;

  async function open() {
    const token = await accessToken();
    if (stopped) return;
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
