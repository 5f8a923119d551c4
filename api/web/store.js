// What the page keeps on the phone, per account: the last data it fetched (to show without
// signal) and the change tokens of secret ballots. Several people of one family may share a
// phone: each account's data lives under its own key, and signing out (or someone else
// signing in) removes the data, never the tokens another account needs to change its vote.

const DATA = "changlang.data.";
const TOKENS = "changlang.tokens.";
const OLD_TOKENS = "changlang.changeTokens"; // one phone, one voter: before accounts were kept apart

function read(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
}

export const kept = {
  get(account, name) {
    return read(DATA + account, {})[name] || null;
  },
  put(account, name, value) {
    const all = read(DATA + account, {});
    all[name] = { value, fetchedAt: Date.now() };
    try {
      localStorage.setItem(DATA + account, JSON.stringify(all));
    } catch {
      // storage full: showing the live data matters more than keeping it
    }
  },
  forget(account) {
    localStorage.removeItem(DATA + account);
  },
  // Someone signs in: no other account's data stays on this phone.
  keepOnly(account) {
    for (const key of Object.keys(localStorage)) {
      if (key.startsWith(DATA) && key !== DATA + account) localStorage.removeItem(key);
    }
  },
};

// A secret ballot's change token is the only link between a voter and their ballot; it stays
// on this phone (or goes where its owner carries it) and never to the server but to change.
export const tokens = {
  all(account) {
    return read(TOKENS + account, {});
  },
  of(account, voteId) {
    return this.all(account)[voteId] || null;
  },
  keep(account, voteId, token) {
    const all = this.all(account);
    all[voteId] = token;
    localStorage.setItem(TOKENS + account, JSON.stringify(all));
  },
  drop(account) {
    localStorage.removeItem(TOKENS + account);
  },
  adoptOld(account) {
    const old = read(OLD_TOKENS, null);
    if (!old) return;
    for (const [voteId, token] of Object.entries(old)) {
      if (!this.of(account, voteId)) this.keep(account, voteId, token);
    }
    localStorage.removeItem(OLD_TOKENS);
  },
};

// The carry code: "CL1" then, per vote, its id's 16 bytes and the token's 32, in base64url,
// shown in groups of four. It holds the tokens of one account and nothing else.
const PREFIX = "CL1";

function toBase64Url(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  const padded = text.replaceAll("-", "+").replaceAll("_", "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function uuidBytes(id) {
  const hex = id.replaceAll("-", "");
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

function bytesUuid(bytes) {
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function carryCode(entries) {
  const parts = [];
  for (const [voteId, token] of Object.entries(entries)) {
    const secret = fromBase64Url(token);
    if (secret.length !== 32) continue;
    parts.push(...uuidBytes(voteId), ...secret);
  }
  return PREFIX + toBase64Url(Uint8Array.from(parts));
}

export function groupCode(code) {
  return code.match(/.{1,4}/g).join(" ");
}

export function readCarryCode(text) {
  const code = text.replace(/\s+/g, "");
  if (!code.startsWith(PREFIX)) return null;
  let bytes;
  try {
    bytes = fromBase64Url(code.slice(PREFIX.length));
  } catch {
    return null;
  }
  if (bytes.length === 0 || bytes.length % 48 !== 0) return null;
  const entries = {};
  for (let at = 0; at < bytes.length; at += 48) {
    entries[bytesUuid(bytes.slice(at, at + 16))] = toBase64Url(bytes.slice(at + 16, at + 48));
  }
  return entries;
}
