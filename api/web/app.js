// 长廊议事 · the residents' voting page. It speaks to the GraphQL API only.
import { graphql, subscribe, session } from "/static/client.js";

const $ = (id) => document.getElementById(id);
const VIEWS = ["login-view", "list-view", "vote-view"];
const CHOICE_LABEL = { FOR: "赞成", AGAINST: "反对", ABSTAIN: "弃权" };
const THRESHOLD_LABEL = {
  SIMPLE_MAJORITY: "简单多数（赞成多于反对）",
  TWO_THIRDS: "三分之二多数",
  UNANIMITY: "全体一致",
};
const ELECTORATE_LABEL = {
  ADULT_RESIDENTS: "全体成年居民",
  HOUSEHOLDS: "每户一票（户代表）",
  PANEL: "协商小组成员",
};
const STATUS_LABEL = { OPEN: "进行中", COUNTING: "计票中", CLOSED: "已结束", SCHEDULED: "未开始" };

let stopTally = null;

function show(view) {
  for (const id of VIEWS) $(id).hidden = id !== view;
}

function when(iso) {
  return new Date(iso).toLocaleString("zh-CN", { dateStyle: "medium", timeStyle: "short" });
}

function text(tag, content, className) {
  const node = document.createElement(tag);
  node.textContent = content;
  if (className) node.className = className;
  return node;
}

function errorText(result) {
  return result && result.message ? result.message : "操作失败，请稍后再试。";
}

// --- login --------------------------------------------------------------------------------

async function login(event) {
  event.preventDefault();
  $("login-error").textContent = "";
  const code = $("code").value.trim();
  const data = await graphql(
    `mutation Login($code: String!) {
       loginWithCode(code: $code, deviceName: "web") {
         __typename
         ... on AuthSession { accessToken accessTokenExpiresAt refreshToken viewer { displayName } }
         ... on Error { code message }
       }
     }`,
    { code },
    { anonymous: true },
  );
  const result = data.loginWithCode;
  if (result.__typename !== "AuthSession") {
    $("login-error").textContent = errorText(result);
    return;
  }
  session.save(result);
  await start();
}

async function logout() {
  const refresh = session.refreshToken();
  if (refresh) {
    await graphql(
      `mutation($t: String!) { logout(refreshToken: $t) { __typename } }`,
      { t: refresh },
      { anonymous: true },
    ).catch(() => {});
  }
  session.clear();
  $("who").hidden = true;
  show("login-view");
}

// --- lists --------------------------------------------------------------------------------

const VOTES = `{
  votes {
    id proposalId status closesAt secret allowChange
    viewerStatus { eligible hasVoted }
  }
  proposals(first: 50) {
    edges { node { id title category status supportCount viewerSupports } }
  }
}`;

async function showLists() {
  closeTally();
  const data = await graphql(VOTES);
  const titles = new Map(data.proposals.edges.map(({ node }) => [node.id, node.title]));
  renderVotes(data.votes, titles);
  renderTopics(data.proposals.edges.map((edge) => edge.node));
  show("list-view");
}

function renderVotes(votes, titles) {
  const list = $("votes");
  list.replaceChildren();
  $("votes-empty").hidden = votes.length > 0;
  const order = { OPEN: 0, COUNTING: 1, SCHEDULED: 2, CLOSED: 3 };
  votes.sort((a, b) => order[a.status] - order[b.status]);
  for (const vote of votes) {
    const item = document.createElement("li");
    item.dataset.voteId = vote.id;
    item.append(text("h3", titles.get(vote.proposalId) || "议题投票"));
    const meta = document.createElement("div");
    meta.className = "meta";
    meta.append(text("span", STATUS_LABEL[vote.status], `badge ${vote.status.toLowerCase()}`));
    if (vote.viewerStatus.hasVoted) meta.append(text("span", "已投票", "badge voted"));
    meta.append(text("span", `截止 ${when(vote.closesAt)}`));
    item.append(meta);
    const open = text("button", vote.status === "OPEN" && vote.viewerStatus.eligible ? "去投票" : "查看");
    open.type = "button";
    open.addEventListener("click", () => showVote(vote.id, titles.get(vote.proposalId)));
    item.append(open);
    list.append(item);
  }
}

function renderTopics(topics) {
  const list = $("topics");
  list.replaceChildren();
  $("topics-empty").hidden = topics.length > 0;
  for (const topic of topics) {
    const item = document.createElement("li");
    item.dataset.proposalId = topic.id;
    item.append(text("h3", topic.title));
    item.append(text("div", `附议 ${topic.supportCount} 人`, "meta"));
    const button = text("button", topic.viewerSupports ? "已附议" : "附议");
    button.type = "button";
    button.classList.toggle("supported", topic.viewerSupports);
    button.disabled = topic.viewerSupports;
    button.addEventListener("click", () => support(topic.id, button, item));
    item.append(button);
    list.append(item);
  }
}

async function support(proposalId, button, item) {
  const data = await graphql(
    `mutation($id: UUID!) { supportProposal(id: $id) {
       __typename ... on Proposal { supportCount viewerSupports } ... on Error { code message } } }`,
    { id: proposalId },
  );
  const result = data.supportProposal;
  if (result.__typename !== "Proposal") {
    item.querySelector(".meta").textContent = errorText(result);
    return;
  }
  button.textContent = "已附议";
  button.disabled = true;
  button.classList.add("supported");
  item.querySelector(".meta").textContent = `附议 ${result.supportCount} 人`;
}

// --- one vote -----------------------------------------------------------------------------

const VOTE = `query($id: UUID!) {
  vote(id: $id) {
    __typename
    ... on Vote {
      id proposalId electorate threshold secret allowChange hideResultsUntilClose
      quorumBallots quorumPercent opensAt closesAt countingEndsAt status electorateSize
      viewerStatus { eligible reason hasVoted receipt canChange }
    }
    ... on Error { code message }
  }
}`;

let current = null;

async function showVote(voteId, title) {
  closeTally();
  const data = await graphql(VOTE, { id: voteId });
  const vote = data.vote;
  if (vote.__typename !== "Vote") {
    $("ballot-error").textContent = errorText(vote);
    return;
  }
  current = vote;
  const topic = await graphql(
    `query($id: UUID!) { proposal(id: $id) { __typename ... on Proposal { title description } } }`,
    { id: vote.proposalId },
  );
  const proposal = topic.proposal.__typename === "Proposal" ? topic.proposal : null;
  $("vote-title").textContent = (proposal && proposal.title) || title || "议题投票";
  $("vote-description").textContent = (proposal && proposal.description) || "";
  renderRule(vote);
  renderBallot(vote.viewerStatus, null);
  $("ballot-error").textContent = "";
  show("vote-view");
  stopTally = subscribe(
    `subscription($id: UUID!) { voteTally(voteId: $id) {
       ballots electorateSize turnout quorumMet for against abstain passed countsHidden hiddenReason final status } }`,
    { id: voteId },
    (result) => renderTally(result.voteTally),
  );
}

function renderRule(vote) {
  const rule = $("vote-rule");
  rule.replaceChildren();
  const quorum = [];
  if (vote.quorumBallots) quorum.push(`至少 ${vote.quorumBallots} 票`);
  if (vote.quorumPercent) quorum.push(`至少 ${vote.quorumPercent}% 参与`);
  const rows = [
    ["状态", STATUS_LABEL[vote.status]],
    ["投票人", `${ELECTORATE_LABEL[vote.electorate]}（共 ${vote.electorateSize}）`],
    ["通过规则", THRESHOLD_LABEL[vote.threshold]],
    ["法定人数", quorum.length ? quorum.join("，") : "不设"],
    ["方式", vote.secret ? "无记名投票" : "记名投票"],
    ["改票", vote.allowChange ? "截止前可改票" : "投出后不可更改"],
    ["结果", vote.hideResultsUntilClose ? "截止后公布" : "实时公布"],
    ["开始", when(vote.opensAt)],
    ["截止", when(vote.closesAt)],
  ];
  if (vote.countingEndsAt) rows.push(["计票截止", when(vote.countingEndsAt)]);
  for (const [name, value] of rows) rule.append(text("dt", name), text("dd", value));
}

function renderBallot(status, chosen) {
  const open = current.status === "OPEN";
  const canCast = open && status.eligible && (!status.hasVoted || status.canChange);
  for (const button of document.querySelectorAll(".choice")) {
    button.disabled = !canCast;
    button.classList.toggle("chosen", button.dataset.choice === chosen);
  }
  let state;
  if (current.status === "COUNTING") {
    state = `投票已截止，正在计入截止前线下记录的选票，${when(current.countingEndsAt)} 公布结果。`;
  } else if (!open) state = current.status === "CLOSED" ? "投票已结束。" : "投票尚未开始。";
  else if (!status.eligible) state = status.reason || "您不在本次投票的投票人范围内。";
  else if (status.hasVoted && status.canChange) state = "您已投票，截止前可以改票。";
  else if (status.hasVoted) state = "您已投票。";
  else state = "请选择您的意见。";
  $("ballot-state").textContent = chosen ? `您投了「${CHOICE_LABEL[chosen]}」。${state}` : state;
  $("receipt").hidden = !status.receipt;
  $("receipt-code").textContent = status.receipt || "";
}

async function cast(choice) {
  $("ballot-error").textContent = "";
  const changeToken = session.changeToken(current.id);
  const data = await graphql(
    `mutation($vote: UUID!, $choice: Choice!, $token: String) {
       castBallot(voteId: $vote, choice: $choice, changeToken: $token) {
         __typename
         ... on BallotReceipt { receipt changeToken changed }
         ... on Error { code message }
       }
     }`,
    { vote: current.id, choice, token: changeToken },
  );
  const result = data.castBallot;
  if (result.__typename !== "BallotReceipt") {
    $("ballot-error").textContent = errorText(result);
    return;
  }
  if (result.changeToken) session.keepChangeToken(current.id, result.changeToken);
  const status = {
    eligible: true,
    hasVoted: true,
    receipt: result.receipt,
    canChange: current.allowChange,
  };
  current.viewerStatus = status;
  renderBallot(status, choice);
}

function renderTally(tally) {
  if (current && tally.status && tally.status !== current.status) {
    current.status = tally.status; // the vote closed, or its counting ended
    renderRule(current);
    const ended = { ...current.viewerStatus, canChange: false };
    renderBallot(ended, null);
  }
  $("tally-live").hidden = tally.final;
  $("count-ballots").textContent = tally.ballots;
  const hidden = tally.countsHidden;
  $("tally-counts").hidden = hidden;
  $("tally-hidden").hidden = !hidden;
  $("tally-hidden").textContent = hidden ? tally.hiddenReason || "计票结果将在投票截止后公布。" : "";
  if (!hidden) {
    $("count-for").textContent = tally.for;
    $("count-against").textContent = tally.against;
    $("count-abstain").textContent = tally.abstain;
  }
  $("turnout-bar").style.width = `${Math.min(100, Math.round(tally.turnout * 100))}%`;
  const parts = [`参与率 ${(tally.turnout * 100).toFixed(1)}%`, tally.quorumMet ? "已达法定人数" : "未达法定人数"];
  if (tally.final && tally.passed !== null) parts.push(tally.passed ? "结果：通过" : "结果：未通过");
  $("tally-summary").textContent = parts.join(" · ");
}

function closeTally() {
  if (stopTally) stopTally();
  stopTally = null;
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
    return;
  }
  const data = await graphql("{ viewer { displayName kind } }");
  if (!data.viewer) {
    session.clear();
    show("login-view");
    return;
  }
  $("who-name").textContent = data.viewer.displayName;
  $("who").hidden = false;
  await showLists();
}

$("login-form").addEventListener("submit", (event) => login(event).catch(fail));
$("logout").addEventListener("click", () => logout().catch(fail));
$("back").addEventListener("click", () => showLists().catch(fail));
for (const button of document.querySelectorAll(".choice")) {
  button.addEventListener("click", () => cast(button.dataset.choice).catch(fail));
}
for (const tab of document.querySelectorAll(".tabs button")) {
  tab.addEventListener("click", () => {
    for (const other of document.querySelectorAll(".tabs button")) {
      other.classList.toggle("active", other === tab);
    }
    $("votes-panel").hidden = tab.dataset.tab !== "votes";
    $("topics-panel").hidden = tab.dataset.tab !== "topics";
  });
}

function fail(error) {
  console.error(error);
  const target = $("vote-view").hidden ? $("login-error") : $("ballot-error");
  target.textContent = "网络或服务器异常，请稍后重试。";
}

if (!codeFromAddress()) start().catch(fail);
