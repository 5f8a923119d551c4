// 表决: the votes list, one vote with its rule, the ballot (the resident's own choice where
// the server may say it; a household's ballot and who cast it), the receipt (copy, a short
// form to read out, a check against the published commitments) and, once closed, the
// result with its verification.
import { graphql, OfflineError, session, subscribe } from "/static/client.js";
import { kept, tokens } from "/static/store.js";
import { $, busy, copyText, el, say } from "/static/ui.js";
import { CHOICE, ELECTORATE, THRESHOLD, VOTE_STATUS, errorText, when } from "/static/words.js";

let stopTally = null;
let current = null;
let justCast = null; // a secret ballot's choice, shown only on the screen it was made on

export function closeTally() {
  if (stopTally) stopTally();
  stopTally = null;
}

export function renderVotes(votes, titles, { openVote }) {
  const list = $("votes");
  $("votes-empty").hidden = votes.length > 0;
  const order = { OPEN: 0, COUNTING: 1, SCHEDULED: 2, CLOSED: 3 };
  const sorted = [...votes].sort((a, b) => order[a.status] - order[b.status]);
  list.replaceChildren(
    ...sorted.map((vote) => {
      const title = titles.get(vote.proposalId) || "议题投票";
      const status = vote.viewerStatus;
      const voted = status.castByName ? `家里已投票（${status.castByName}）` : status.hasVoted ? "已投票" : null;
      return el(
        "li",
        { data: { voteId: vote.id } },
        el("h3", { text: title }),
        el(
          "div",
          { class: "meta" },
          el("span", { class: `badge ${vote.status.toLowerCase()}`, text: VOTE_STATUS[vote.status] }),
          voted ? el("span", { class: "badge voted", text: voted }) : null,
          el("span", { text: `截止 ${when(vote.closesAt)}` }),
        ),
        el("button", {
          type: "button",
          class: "secondary",
          text: vote.status === "OPEN" && status.eligible && !status.hasVoted ? "去投票" : "查看",
          on: { click: () => openVote(vote.id).catch(console.error) },
        }),
      );
    }),
  );
}

const VOTE = `query($id: UUID!) {
  vote(id: $id) {
    __typename
    ... on Vote {
      id proposalId electorate threshold secret allowChange hideResultsUntilClose
      quorumBallots quorumPercent opensAt closesAt countingEndsAt status electorateSize
      viewerStatus { eligible reason hasVoted receipt canChange commitment choice castByName }
    }
    ... on Error { code message }
  }
}`;

export async function showVote(voteId, title) {
  closeTally();
  justCast = null;
  const account = session.accountId();
  let vote;
  let proposal = null;
  try {
    const data = await graphql(VOTE, { id: voteId });
    vote = data.vote;
    if (vote.__typename !== "Vote") {
      say($("ballot-error"), errorText(vote));
      return false;
    }
    const topic = await graphql(
      `query($id: UUID!) { proposal(id: $id) { __typename ... on Proposal { title description } } }`,
      { id: vote.proposalId },
    );
    proposal = topic.proposal.__typename === "Proposal" ? topic.proposal : null;
    kept.put(account, `vote:${voteId}`, { vote, proposal });
  } catch (error) {
    const stored = error instanceof OfflineError ? kept.get(account, `vote:${voteId}`) : null;
    if (!stored) throw error;
    ({ vote, proposal } = stored.value);
  }
  current = vote;
  $("vote-title").textContent = (proposal && proposal.title) || title || "议题投票";
  $("vote-description").textContent = (proposal && proposal.description) || "";
  say($("ballot-error"), "");
  say($("receipt-message"), "");
  $("verify-state").hidden = true;
  renderRule(vote);
  renderBallot(vote.viewerStatus);
  if (navigator.onLine !== false) {
    stopTally = subscribe(
      `subscription($id: UUID!) { voteTally(voteId: $id) {
         ballots electorateSize turnout quorumMet for against abstain passed countsHidden hiddenReason final status } }`,
      { id: voteId },
      (result) => renderTally(result.voteTally),
    );
  }
  if (vote.status === "CLOSED") verify(vote.id).catch(() => {});
  return true;
}

function renderRule(vote) {
  const quorum = [];
  if (vote.quorumBallots) quorum.push(`至少 ${vote.quorumBallots} 票`);
  if (vote.quorumPercent) quorum.push(`至少 ${vote.quorumPercent}% 参与`);
  const rows = [
    ["状态", VOTE_STATUS[vote.status]],
    ["投票人", `${ELECTORATE[vote.electorate]}（共 ${vote.electorateSize}）`],
    ["通过规则", THRESHOLD[vote.threshold]],
    ["法定人数", quorum.length ? quorum.join("，") : "不设"],
    ["方式", vote.secret ? "无记名投票" : "记名投票"],
    ["改票", vote.allowChange ? "截止前可改票" : "投出后不可更改"],
    [
      "结果",
      vote.secret ? "截止后公布（投票期间只公布参与人数）" : vote.hideResultsUntilClose ? "截止后公布" : "实时公布",
    ],
    ["开始", when(vote.opensAt)],
    ["截止", when(vote.closesAt)],
  ];
  if (vote.countingEndsAt) rows.push(["计票截止", when(vote.countingEndsAt)]);
  $("vote-rule").replaceChildren(...rows.flatMap(([name, value]) => [el("dt", { text: name }), el("dd", { text: value })]));
}

// Whether this phone can change the ballot: a secret ballot changes only with its token,
// which stays on the phone it was cast with (or one its owner carried it to).
function tokenHere(status) {
  return !current.secret || Boolean(tokens.of(session.accountId(), current.id));
}

function renderBallot(status) {
  const open = current.status === "OPEN";
  const tokenMissing = status.hasVoted && status.canChange && !tokenHere(status);
  const canCast = open && status.eligible && (!status.hasVoted || (status.canChange && !tokenMissing));
  const chosen = status.choice || justCast;
  document.querySelector(".choices").hidden = !open;
  for (const button of document.querySelectorAll(".choice")) {
    button.disabled = !canCast;
    button.classList.toggle("chosen", button.dataset.choice === chosen);
    button.setAttribute("aria-pressed", String(button.dataset.choice === chosen));
  }
  let state;
  if (current.status === "COUNTING") {
    state = `投票已截止，正在计入截止前线下记录的选票，${when(current.countingEndsAt)} 公布结果。`;
  } else if (status.castByName) {
    state = `您家的选票已由 ${status.castByName}（户代表）投出，每户只投一票。`;
  } else if (!open) state = current.status === "CLOSED" ? "投票已结束。" : "投票尚未开始。";
  else if (!status.eligible) state = status.reason || "您不在本次投票的投票人范围内。";
  else if (tokenMissing) {
    state =
      "您已投票，选票已经计入。改票凭证保存在您投票时用的那部手机上，本机没有，所以不能在这里改票。" +
      "您可以：在那部手机上改票；或在那部手机的「本机凭证」里导出凭证，再在本机导入后改票。";
  } else if (status.hasVoted && status.canChange) state = "您已投票，截止前可以改票。";
  else if (status.hasVoted) state = "您已投票。";
  else state = "请选择您的意见。";
  const mine = chosen
    ? current.secret && !status.choice
      ? `您刚才投了「${CHOICE[chosen]}」（无记名投票，离开本页后不再显示）。`
      : `您投了「${CHOICE[chosen]}」。`
    : "";
  $("ballot-state").textContent = mine + state;
  $("receipt").hidden = !status.receipt;
  $("receipt-code").textContent = status.receipt || "";
  $("receipt-short").textContent = status.receipt ? shortReceipt(status.receipt) : "";
}

export function shortReceipt(receipt) {
  const head = receipt.slice(0, 8).toUpperCase();
  return `${head.slice(0, 4)}-${head.slice(4)}`;
}

async function cast(choice, button) {
  say($("ballot-error"), "");
  const account = session.accountId();
  const changeToken = tokens.of(account, current.id);
  await busy(button, $("ballot-error"), async () => {
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
      say($("ballot-error"), errorText(result));
      return;
    }
    if (result.changeToken) tokens.keep(account, current.id, result.changeToken);
    const fresh = await graphql(VOTE, { id: current.id }).catch(() => null);
    justCast = choice;
    if (fresh && fresh.vote.__typename === "Vote") current.viewerStatus = fresh.vote.viewerStatus;
    else current.viewerStatus = { eligible: true, hasVoted: true, receipt: result.receipt, canChange: current.allowChange };
    renderBallot(current.viewerStatus);
  });
  // busy() leaves a pressed choice enabled; the ballot's own rules decide
  renderBallot(current.viewerStatus);
}

function renderTally(tally) {
  if (current && tally.status && tally.status !== current.status) {
    current.status = tally.status; // the vote closed, or its counting ended
    renderRule(current);
    current.viewerStatus = { ...current.viewerStatus, canChange: false };
    renderBallot(current.viewerStatus);
    if (tally.status === "CLOSED") verify(current.id).catch(() => {});
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

async function verify(voteId) {
  const data = await graphql(
    `query($id: UUID!) { verifyTally(voteId: $id) { __typename
       ... on VerifyResult { ok problems receipts countedBallots logEntries }
       ... on Error { code message } } }`,
    { id: voteId },
  );
  const found = data.verifyTally;
  const note = $("verify-state");
  note.hidden = false;
  if (found.__typename !== "VerifyResult") {
    note.textContent = `核验：${errorText(found)}`;
    return;
  }
  note.textContent = found.ok
    ? `核验通过：投票记录的哈希链完整，${found.receipts} 张回执与 ${found.countedBallots} 张计入的选票一致，重新计票与公布结果相同。`
    : `核验发现 ${found.problems.length} 处不一致（${found.problems.join("；")}）：这次投票的记录可能被改动过，请告诉社区工作人员或网格员。`;
  note.dataset.kind = found.ok ? "ok" : "error";
}

async function checkCounted(button) {
  const status = current.viewerStatus;
  const message = $("receipt-message");
  await busy(button, message, async () => {
    const data = await graphql(
      `query($id: UUID!) { voteCommitments(voteId: $id) { __typename
         ... on CommitmentList { commitments } ... on Error { code message } } }`,
      { id: current.id },
    );
    const list = data.voteCommitments;
    if (list.__typename !== "CommitmentList") {
      say(message, `暂时不能核对：${errorText(list)}`, "note");
      return;
    }
    if (status.commitment && list.commitments.includes(status.commitment)) {
      say(message, `已核对：您的选票在公布的 ${list.commitments.length} 条记录中，已经计入。这份名单不显示谁投了什么。`, "ok");
    } else {
      say(message, "在公布的名单里没有找到您的回执。请把回执短码告诉社区工作人员核查。", "error");
    }
  });
}

for (const button of document.querySelectorAll(".choice")) {
  button.addEventListener("click", () => cast(button.dataset.choice, button).catch(console.error));
}
$("copy-receipt").addEventListener("click", () =>
  copyText($("receipt-code").textContent)
    .then(() => say($("receipt-message"), "回执已复制。", "ok"))
    .catch(() => say($("receipt-message"), "复制没有成功，请长按回执手动复制。")),
);
$("check-counted").addEventListener("click", (event) => checkCounted(event.currentTarget).catch(console.error));
