// The console's one door to the server: the same GraphQL API (and, for files, the same
// bearer token on a few HTTP endpoints) with the same rules as every other client.
//
// The session lives in localStorage so that a page opened in a new tab (a printable slip
// sheet, say) is signed in too. Refresh tokens are single use: tabs take turns through a
// Web Lock, and a tab that waited picks up the token another tab has just refreshed.

const KEY = "changlang.console.session";
const LANGUAGE = document.documentElement.lang || "zh-CN";

const state = Vue.reactive({ viewer: null, role: null });

function stored() {
  try {
    return JSON.parse(localStorage.getItem(KEY)) || {};
  } catch {
    return {};
  }
}

function keep(auth) {
  localStorage.setItem(
    KEY,
    JSON.stringify({
      accessToken: auth.accessToken,
      expiresAt: Date.parse(auth.accessTokenExpiresAt),
      refreshToken: auth.refreshToken,
    }),
  );
}

// A server answer that is not data: the message is already in the page's language.
export class ServerError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

async function post(query, variables, token) {
  const headers = { "Content-Type": "application/json", "Accept-Language": LANGUAGE };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ServerError("无法连接服务器，请检查网络后重试。", "OFFLINE");
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ServerError(`服务器没有正常应答（${response.status}），请稍后重试。`, "BAD_RESPONSE");
  }
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    throw new ServerError(
      body.errors.map((e) => e.message).join("；"),
      (first.extensions && first.extensions.code) || "GRAPHQL_ERROR",
    );
  }
  return body.data;
}

const REFRESH = `mutation($t: String!) { refreshSession(refreshToken: $t) {
  __typename ... on AuthSession { accessToken accessTokenExpiresAt refreshToken } } }`;

function fresh(session) {
  return session.accessToken && session.expiresAt - Date.now() > 30_000;
}

async function refreshLocked() {
  const current = stored();
  if (fresh(current)) return current.accessToken;
  if (!current.refreshToken) return null;
  const data = await post(REFRESH, { t: current.refreshToken });
  if (data.refreshSession.__typename !== "AuthSession") {
    localStorage.removeItem(KEY);
    return null;
  }
  keep(data.refreshSession);
  return data.refreshSession.accessToken;
}

export async function accessToken() {
  const current = stored();
  if (fresh(current)) return current.accessToken;
  if (navigator.locks) return navigator.locks.request(KEY, refreshLocked);
  return refreshLocked();
}

// Queries and mutations. Results that are unions carry their own error (see `problem`).
export async function gql(query, variables = {}) {
  const token = await accessToken();
  return post(query, variables, token);
}

// The message of a union result that is an error, or null when it is the wanted type.
export function problem(result, wanted) {
  if (!result) return "服务器没有返回结果。";
  if (wanted ? result.__typename === wanted : !("code" in result && "message" in result)) {
    return null;
  }
  return result.message || "操作没有完成。";
}

// The fields every union error has: ask for them with `... on Error { ...ErrorFields }`.
export const ERROR_FIELDS = "... on Error { code message }";

const VIEWER = `{ viewer { accountId displayName kind residentId communityName
  posts { id role gridId grid { id name level } } } }`;

function roleOf(viewer) {
  if (!viewer) return null;
  if (viewer.kind === "ADMIN") return "admin";
  if (viewer.kind === "RESIDENT") return "resident";
  return viewer.posts.length ? "staff" : "contact";
}

export const session = {
  state,
  get viewer() {
    return state.viewer;
  },
  get role() {
    return state.role;
  },
  signedIn() {
    return Boolean(stored().refreshToken);
  },
  async load() {
    if (!this.signedIn()) return null;
    const data = await gql(VIEWER);
    state.viewer = data.viewer;
    state.role = roleOf(data.viewer);
    return state.viewer;
  },
  async login(username, password) {
    const data = await post(
      `mutation($u: String!, $p: String!) { login(username: $u, password: $p, deviceName: "社区工作台") {
         __typename ... on AuthSession { accessToken accessTokenExpiresAt refreshToken }
         ${ERROR_FIELDS} } }`,
      { u: username, p: password },
    );
    const result = data.login;
    if (result.__typename !== "AuthSession") throw new ServerError(result.message, result.code);
    keep(result);
    return this.load();
  },
  async logout() {
    const { refreshToken } = stored();
    try {
      if (refreshToken) {
        await post("mutation($t: String!) { logout(refreshToken: $t) { __typename } }", {
          t: refreshToken,
        });
      }
    } catch {
      // Signing out of this browser must work offline too; the refresh token expires.
    }
    localStorage.removeItem(KEY);
    state.viewer = null;
    state.role = null;
  },
};

function withToken(headers, token) {
  return { "Accept-Language": LANGUAGE, ...headers, Authorization: `Bearer ${token}` };
}

async function errorOf(response) {
  try {
    const body = await response.json();
    // Endpoints answer {message, code} or, like the ledger export, GraphQL's {errors: [...]}.
    const first = (body.errors && body.errors[0]) || {};
    const code = body.code || (first.extensions && first.extensions.code);
    return new ServerError(body.message || first.message || body.error || `请求失败（${response.status}）`, code);
  } catch {
    return new ServerError(`请求失败（${response.status}）`, "HTTP_" + response.status);
  }
}

// A file to one of the console's upload endpoints, with the upload's progress. An answer
// in NDJSON (progress lines, then the result) is passed line by line to `onLine`; the last
// line (or the plain JSON answer) is returned.
export async function uploadFile(url, file, { fields = {}, onProgress, onLine } = {}) {
  const token = await accessToken();
  const form = new FormData();
  form.append("file", file);
  for (const [name, value] of Object.entries(fields)) form.append(name, String(value));
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    let seen = 0;
    let last = null;
    const readLines = () => {
      const text = request.responseText;
      let end;
      while ((end = text.indexOf("\n", seen)) !== -1) {
        const line = text.slice(seen, end).trim();
        seen = end + 1;
        if (!line) continue;
        last = JSON.parse(line);
        if (onLine) onLine(last);
      }
    };
    request.open("POST", url);
    for (const [name, value] of Object.entries(withToken({}, token))) {
      request.setRequestHeader(name, value);
    }
    request.upload.onprogress = (event) => {
      if (onProgress && event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onprogress = () => {
      if (request.status === 200 && onLine) readLines();
    };
    request.onerror = () => reject(new ServerError("无法连接服务器，请检查网络后重试。", "OFFLINE"));
    request.onload = () => {
      let body = null;
      try {
        if (onLine) {
          readLines();
          const rest = request.responseText.slice(seen).trim();
          if (rest) {
            last = JSON.parse(rest);
            onLine(last);
          }
          body = last;
        } else {
          body = JSON.parse(request.responseText);
        }
      } catch {
        body = null;
      }
      if (request.status >= 200 && request.status < 300) resolve(body);
      else {
        const message = (body && body.message) || `上传失败（${request.status}）`;
        reject(new ServerError(message, body && body.code));
      }
    };
    request.send(form);
  });
}

// An authenticated download (a template, an export, refused rows) saved under `filename`.
export async function downloadFile(url, filename, { method = "GET", body = null, headers = {} } = {}) {
  const token = await accessToken();
  const response = await fetch(url, { method, body, headers: withToken(headers, token) });
  if (!response.ok) throw await errorOf(response);
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

// A page the server renders for printing (login slips): opened in a new tab from a blob.
export async function openPrintable(url, { method = "POST", body = null, headers = {} } = {}) {
  const token = await accessToken();
  const response = await fetch(url, { method, body, headers: withToken(headers, token) });
  if (!response.ok) throw await errorOf(response);
  const blob = await response.blob();
  const address = URL.createObjectURL(blob);
  window.open(address, "_blank", "noopener");
  setTimeout(() => URL.revokeObjectURL(address), 60_000);
  return address;
}
