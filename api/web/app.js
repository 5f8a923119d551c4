// 长廊议事 · the residents' page: raise a topic, follow it, vote and rate, on a phone that
// may be shared by a family and may lose its signal. It speaks to the GraphQL API only.
import { graphql, onTraffic, OfflineError, session } from "/static/client.js";
import { kept, tokens } from "/static/store.js";
import { $, busy, say } from "/static/ui.js";
import { SAID, when, errorText } from "/static/words.js";
import { renderTopics, renderMine, showTopic } from "/static/topics.js";
import { setupRaise } from "/static/raise.js";
import { renderVotes, showVote, closeTally } from "/static/votes.js";
import { carryFromAddress, importPending, showPhone, setupPhone } from "/static/phone.js";

const VIEWS = ["login-view", "home-view", "topic-view", "vote-view", "phone-view"];
const TABS = ["topics", "mine", "votes", "raise"];
const page = { viewer: null, home: null, tab: "topics", offline: false };

export function show(view) {
  for (const id of VIEWS) $(id).hidden = id !== view;
  window.scrollTo(0, 0);
}

function showTab(tab) {
  page.tab = tab;
  say($("home-message"), "");
  for (const button of document.querySelectorAll(".tabs button")) {
    if (button.dataset.tab === tab) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
  }
  for (const name of TABS) $(`${name}-panel`).hidden = name !== tab;
}

// --- signal -------------------------------------------------------------------------------

function showSignal() {
  const offline = navigator.onLine === false || page.offline;
  const banner = $("offline-banner");
  banner.hidden = !offline;
  const words = page.viewer
    ? "没有网络：显示的是本机保存的内容，需要服务器的操作暂时做不了。"
    : "没有网络：登录需要连上服务器，请到有信号的地方再试。";
  banner.textContent = offline ? words : "";
}

// Signed out, the page asks the server nothing; a light probe tells whether it could.
function probe() {
  fetch("/readyz", { cache: "no-store" })
    .then(() => (page.offline = false))
    .catch(() => (page.offline = true))
    .finally(showSignal);
}

function showFetched(fetchedAt, live) {
  const note = $("fetched-at");
  note.hidden = live;
  note.textContent = live ? "" : `以下内容获取于 ${when(new Date(fetchedAt).toISOString())}。`;
}

let slowTimer = null;
onTraffic((count) => {
  clearTimeout(slowTimer);
  if (count > 0) slowTimer = setTimeout(() => ($("progress").hidden = false), 300);
  else $("progress").hidden = true;
});

// --- login --------------------------------------------------------------------------------

async function login(event) {
  event.preventDefault();
  const button = event.submitter || $("login-form").querySelector("button");
  if (button.getAttribute("aria-busy") === "true") return;
  say($("login-error"), "");
  if (navigator.onLine === false) {
    say($("login-error"), SAID.offline);
    return;
  }
  button.setAttribute("aria-busy", "true");
  button.disabled = true;
  try {
    const code = $("code").value.trim();
    const data = await graphql(
      `mutation Login($code: String!) {
         loginWithCode(code: $code, deviceName: "web") {
           __typename
           ... on AuthSession { accessToken accessTokenExpiresAt refreshToken viewer { accountId displayName } }
           ... on Error { code message }
         }
       }`,
      { code },
      { anonymous: true },
    );
    const result = data.loginWithCode;
    if (result.__typename !== "AuthSession") {
      say($("login-error"), errorText(result));
      return;
    }
    kept.keepOnly(result.viewer.accountId);
    session.save(result, result.viewer);
    tokens.adoptOld(result.viewer.accountId);
    $("code").value = "";
    await start();
  } finally {
    button.removeAttribute("aria-busy");
    button.disabled = false;
  }
}

// Signing out leaves nothing of this account on screen or in the page's storage but its
// change tokens (kept apart per account, for its owner to change a secret ballot later).
async function logout() {
  const refresh = session.refreshToken();
  const account = session.accountId();
  closeTally();
  if (refresh && navigator.onLine !== false) {
    await graphql(
      `mutation($t: String!) { logout(refreshToken: $t) { __typename } }`,
      { t: refresh },
      { anonymous: true },
    ).catch(() => {});
  }
  session.clear();
  if (account) kept.forget(account);
  page.viewer = null;
  page.home = null;
  for (const id of ["topics", "mine", "votes", "report-meetings", "pending-ratings", "timeline"]) {
    $(id).replaceChildren();
  }
  $("raise-form").reset();
  $("who").hidden = true;
  $("who-name").textContent = "";
  showFetched(0, true);
  say($("login-error"), "您已退出。下一位请用自己的登录码登录。", "note");
  showSignal();
  show("login-view");
}

// --- home ---------------------------------------------------------------------------------

const TOPIC = "id title category status supportCount viewerSupports submittedOn anonymous";
const HOME = `{
  viewer { accountId displayName kind residentId }
  proposals(first: 30) { edges { node { ${TOPIC} } } pageInfo { hasNextPage endCursor } }
  mine: proposals(first: 100, filter: {mine: true}) { edges { node { ${TOPIC} } } }
  myPendingRatings { id title ratingWindow { closesAt } }
  meetings { id kind title startsAt place agenda { proposalId } }
  votes { id proposalId status closesAt secret electorate viewerStatus { eligible hasVoted castByName } }
}`;

export async function loadHome() {
  const account = session.accountId();
  let home;
  let live = true;
  try {
    home = await graphql(HOME);
    page.offline = false;
    if (!home.viewer) throw new Error("signed out");
    session.identify(home.viewer);
    kept.put(home.viewer.accountId, "home", home);
  } catch (error) {
    if (!(error instanceof OfflineError) || !account) throw error;
    page.offline = true;
    const stored = kept.get(account, "home");
    if (!stored) throw error;
    home = stored.value;
    live = false;
    showFetched(stored.fetchedAt, false);
  }
  showSignal();
  if (live) showFetched(0, true);
  page.home = home;
  page.viewer = home.viewer;
  renderHome(home);
  return home;
}

function renderHome(home) {
  const titles = new Map(home.proposals.edges.map(({ node }) => [node.id, node.title]));
  const mineIds = new Set(home.mine.edges.map(({ node }) => node.id));
  const actions = { openTopic, refresh: reloadHome, resident: home.viewer.kind === "RESIDENT" };
  renderTopics(home.proposals.edges.map((e) => e.node), mineIds, actions);
  $("more-topics").hidden = !(home.proposals.pageInfo && home.proposals.pageInfo.hasNextPage);
  renderMine(home, actions);
  renderVotes(home.votes, titles, { openVote });
}

async function reloadHome() {
  await loadHome();
}

// The list, thirty at a time, newest first.
async function moreTopics() {
  const shown = page.home.proposals;
  const data = await graphql(
    `query($after: String) { proposals(first: 30, after: $after) {
       edges { node { ${TOPIC} } } pageInfo { hasNextPage endCursor } } }`,
    { after: shown.pageInfo.endCursor },
  );
  shown.edges.push(...data.proposals.edges);
  shown.pageInfo = data.proposals.pageInfo;
  renderHome(page.home);
}

export async function goHome(tab = page.tab) {
  closeTally();
  await loadHome();
  showTab(tab);
  show("home-view");
}

async function openTopic(id) {
  await showTopic(id, { home: page.home, viewer: page.viewer, back: goHome, open: openTopic });
  show("topic-view");
}

async function openVote(id) {
  const titles = new Map(page.home.proposals.edges.map(({ node }) => [node.id, node.title]));
  const opened = await showVote(id, titles.get(page.home.votes.find((v) => v.id === id)?.proposalId), page.viewer);
  if (opened) show("vote-view");
}

// --- start --------------------------------------------------------------------------------

// A printed slip's QR code opens `/?code=XXXXX-XXXXX`: take the code off the address (so it
// stays out of history and bookmarks) and sign in with it.
function codeFromAddress() {
  const url = new URL(window.location.href);
  const code = url.searchParams.get("code");
  if (!code) return false;
  url.searchParams.delete("code");
  history.replaceState(null, "", url.pathname + url.search + url.hash);
  show("login-view");
  $("code").value = code;
  $("login-form").requestSubmit();
  return true;
}

async function start() {
  if (!session.refreshToken()) {
    show("login-view");
    probe();
    return;
  }
  try {
    await loadHome();
  } catch (error) {
    if (error instanceof OfflineError) {
      page.offline = true;
      showSignal();
      say($("login-error"), "没有网络，本机也没有保存的内容。请到有信号的地方再打开。");
      show("login-view");
      return;
    }
    session.clear();
    show("login-view");
    return;
  }
  $("who-name").textContent = page.viewer.displayName;
  $("who").hidden = false;
  showTab(page.tab);
  show(importPending() ? "phone-view" : "home-view");
}

function fail(error) {
  console.error(error);
  const offline = error instanceof OfflineError;
  if (offline) {
    page.offline = true;
    showSignal();
  }
  const visible = VIEWS.find((id) => !$(id).hidden) || "login-view";
  const target = {
    "vote-view": "ballot-error",
    "topic-view": "topic-message",
    "home-view": page.tab === "raise" ? "raise-message" : "home-message",
    "phone-view": "import-message",
  }[visible] || "login-error";
  say($(target), offline ? SAID.offline : SAID.failed);
}

function largeText(on) {
  document.documentElement.classList.toggle("large", on);
  $("large-text").setAttribute("aria-pressed", String(on));
  localStorage.setItem("changlang.largeText", on ? "1" : "");
}

$("login-form").addEventListener("submit", (event) => login(event).catch(fail));
$("logout").addEventListener("click", () => logout().catch(fail));
$("open-phone").addEventListener("click", () => {
  closeTally();
  showPhone(page);
  show("phone-view");
});
$("more-topics").addEventListener("click", (event) =>
  busy(event.currentTarget, $("home-message"), moreTopics),
);
$("large-text").addEventListener("click", () => largeText(!document.documentElement.classList.contains("large")));
for (const back of document.querySelectorAll(".back")) {
  back.addEventListener("click", () => goHome().catch(fail));
}
for (const tab of document.querySelectorAll(".tabs button")) {
  tab.addEventListener("click", () => showTab(tab.dataset.tab));
}
window.addEventListener("online", () => {
  page.offline = false;
  showSignal();
  if (page.viewer && !$("home-view").hidden) loadHome().catch(fail);
});
window.addEventListener("offline", showSignal);
setupRaise({ page, goHome, openTopic, fail });
setupPhone(page);
largeText(localStorage.getItem("changlang.largeText") === "1");
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
showTab(page.tab);
showSignal();
carryFromAddress();
if (!codeFromAddress()) start().catch(fail);
