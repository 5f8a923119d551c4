// 议题: the community's list (status on each, 附议 only where it is still possible), my topics
// with the rating waiting for me, and one topic's timeline from raising to closure.
import { graphql, OfflineError, photoBlobUrl, session } from "/static/client.js";
import { kept } from "/static/store.js";
import { $, busy, el, say } from "/static/ui.js";
import {
  CATEGORY,
  MEETING_KIND,
  RATING_OUTCOME,
  SCORE,
  SUPPORTABLE,
  TOPIC_STATUS,
  day,
  errorText,
  when,
} from "/static/words.js";

function badge(status) {
  return el("span", { class: `badge status-${status.toLowerCase()}`, text: TOPIC_STATUS[status] || status });
}

export function supportButton(topic, { raisedByMe, resident, onDone, message }) {
  if (topic.viewerSupports) return el("span", { class: "badge mine", text: "✓ 我已附议" });
  if (raisedByMe) return el("span", { class: "badge mine", text: "我反映的" });
  if (!resident || !SUPPORTABLE.has(topic.status)) return null;
  const button = el("button", {
    type: "button",
    class: "secondary",
    text: "附议",
    "aria-label": `附议：${topic.title}`,
  });
  button.addEventListener("click", () =>
    busy(button, message, async () => {
      const data = await graphql(
        `mutation($id: UUID!) { supportProposal(id: $id) {
           __typename ... on Proposal { id supportCount viewerSupports } ... on Error { code message } } }`,
        { id: topic.id },
      );
      const result = data.supportProposal;
      if (result.__typename !== "Proposal") {
        say(message, errorText(result));
        return;
      }
      button.dataset.done = "1";
      say(message, "已附议，谢谢您的支持。", "note");
      await onDone(result);
    }),
  );
  return button;
}

function card(topic, mineIds, actions) {
  const message = el("p", { class: "error", role: "alert" });
  const raisedByMe = mineIds.has(topic.id) && !topic.viewerSupports;
  return el(
    "li",
    { data: { proposalId: topic.id } },
    el("h3", { text: topic.title }),
    el(
      "div",
      { class: "meta" },
      badge(topic.status),
      el("span", { text: CATEGORY[topic.category] || "" }),
      el("span", { text: ` · 附议 ${topic.supportCount} 人` }),
    ),
    el(
      "div",
      { class: "row-buttons" },
      el("button", {
        type: "button",
        class: "secondary",
        text: "查看进展",
        "aria-label": `查看进展：${topic.title}`,
        on: { click: () => actions.openTopic(topic.id).catch(actions.fail || console.error) },
      }),
      supportButton(topic, { raisedByMe, resident: actions.resident, onDone: actions.refresh, message }),
    ),
    message,
  );
}

export function renderTopics(topics, mineIds, actions) {
  const list = $("topics");
  list.replaceChildren(...topics.map((topic) => card(topic, mineIds, actions)));
  $("topics-empty").hidden = topics.length > 0;
}

export function renderMine(home, actions) {
  const mine = home.mine.edges.map((e) => e.node);
  const mineIds = new Set(mine.map((t) => t.id));
  $("mine").replaceChildren(...mine.map((topic) => card(topic, mineIds, actions)));
  $("mine-empty").hidden = mine.length > 0;
  const pending = home.myPendingRatings;
  $("pending-ratings").replaceChildren(
    ...(pending.length
      ? [
          el("h3", { text: "等您评价" }),
          el(
            "ul",
            { class: "cards" },
            pending.map((topic) =>
              el(
                "li",
                { class: "pending", data: { ratingFor: topic.id } },
                el("p", { text: topic.title, class: "strong" }),
                el("p", { class: "meta", text: `已销号，请在 ${when(topic.ratingWindow.closesAt)} 前评价落实结果。` }),
                el("button", {
                  type: "button",
                  class: "primary",
                  text: "去评价",
                  "aria-label": `去评价：${topic.title}`,
                  on: { click: () => actions.openTopic(topic.id).catch(console.error) },
                }),
              ),
            ),
          ),
        ]
      : []),
  );
  const now = Date.now();
  const coming = home.meetings
    .filter((m) => m.kind === "REPORT_BACK" && Date.parse(m.startsAt) > now)
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  $("report-meetings").replaceChildren(
    ...coming.map((m) => {
      const mineOnIt = m.agenda.filter((item) => mineIds.has(item.proposalId)).length;
      return el(
        "li",
        {},
        el("b", { text: m.title }),
        ` ${when(m.startsAt)}，${m.place}`,
        mineOnIt ? el("span", { class: "badge mine", text: `有您的议题 ${mineOnIt} 项` }) : null,
      );
    }),
  );
  $("report-meetings-empty").hidden = coming.length > 0;
}

// --- one topic ----------------------------------------------------------------------------

const DETAIL = `query($id: UUID!) { proposal(id: $id) { __typename
  ... on Proposal { id title description category status source submittedOn anonymous raiserName
    supportCount viewerSupports mergedIntoId attachments { url sha256 }
    history { fromStatus toStatus at reason actorName }
    resolution { solution contactName deadline meetingId }
    progressReports { text percentDone at meetingId photos { url sha256 } }
    ratingWindow { closeRound opensAt closesAt open eligibleCount ratingCount outcome average decidedAt }
  }
  ... on Error { code message } } }`;

function timelineEntries(topic, meetings) {
  const entries = [];
  const meetingOf = new Map(meetings.map((m) => [m.id, m]));
  for (const step of topic.history) {
    const lines = [];
    if (step.reason) lines.push(step.reason);
    if (step.toStatus === "DELIBERATED" && topic.resolution) {
      const r = topic.resolution;
      lines.push(`议定方案：${r.solution}`);
      lines.push(`联系人：${r.contactName}；完成期限：${day(r.deadline)}`);
    }
    const what = step.fromStatus === null ? "提出议题" : TOPIC_STATUS[step.toStatus];
    entries.push({ at: step.at, rank: 0, title: what, lines, by: step.actorName });
  }
  // A meeting already held is in the history ("列入…的议程"); one still to come is shown
  // ahead, with its time and place.
  for (const m of meetings) {
    if (!m.agenda.some((item) => item.proposalId === topic.id)) continue;
    if (Date.parse(m.startsAt) <= Date.now()) continue;
    entries.push({
      at: m.startsAt,
      rank: 1,
      title: `即将在${MEETING_KIND[m.kind]}上讨论：${m.title}`,
      lines: [`${when(m.startsAt)}，${m.place}`],
      coming: true,
    });
  }
  for (const report of topic.progressReports) {
    const where = report.meetingId && meetingOf.get(report.meetingId);
    entries.push({
      at: report.at,
      rank: 1,
      title: `进展汇报：完成 ${report.percentDone}%`,
      lines: [report.text, where ? `在「${where.title}」上汇报` : ""].filter(Boolean),
      photos: report.photos,
    });
  }
  const window = topic.ratingWindow;
  if (window) {
    const lines = [`评价期至 ${when(window.closesAt)}，已有 ${window.ratingCount} / ${window.eligibleCount} 人评价。`];
    if (window.outcome) {
      lines.push(RATING_OUTCOME[window.outcome] || "");
      if (window.average !== null) lines.push(`平均满意度 ${window.average.toFixed(1)} 分（满分 5 分）`);
    }
    const closedAt = topic.history.filter((h) => h.toStatus === "CLOSED").map((h) => h.at).pop();
    const at = closedAt && Date.parse(closedAt) > Date.parse(window.opensAt) ? closedAt : window.opensAt;
    entries.push({ at, rank: 2, title: "居民评价（评菜）", lines });
  }
  return entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.rank - b.rank);
}

function renderTimeline(topic, meetings) {
  $("timeline").replaceChildren(
    ...timelineEntries(topic, meetings).map((entry) =>
      el(
        "li",
        { class: entry.coming ? "coming" : "" },
        el("p", { class: "when", text: when(entry.at) }),
        el("p", { class: "strong", text: entry.title }),
        ...entry.lines.map((line) => el("p", { text: line })),
        entry.by ? el("p", { class: "hint", text: `经办：${entry.by}` }) : null,
        entry.photos && entry.photos.length ? photoList(entry.photos, "进展照片") : null,
      ),
    ),
  );
}

function photoList(photos, label) {
  const list = el("ul", { class: "photos" });
  photos.forEach((photo, index) => {
    const img = el("img", { alt: `${label} ${index + 1}` });
    list.append(el("li", {}, img));
    photoBlobUrl(photo.url)
      .then((src) => (img.src = src))
      .catch(() => img.replaceWith(el("span", { class: "hint", text: `${label} ${index + 1}（没有网络时不显示）` })));
  });
  return list;
}

function renderRating(topic, pending, onRated) {
  const box = $("rating");
  box.replaceChildren();
  box.hidden = !pending;
  if (!pending) return;
  const message = el("p", { class: "note", role: "status" });
  let chosen = null;
  const scores = [1, 2, 3, 4, 5].map((score) =>
    el("button", {
      type: "button",
      class: "score",
      "aria-pressed": "false",
      text: `${score} 分 ${SCORE[score]}`,
      on: {
        click: (event) => {
          chosen = score;
          for (const b of scores) b.setAttribute("aria-pressed", String(b === event.currentTarget));
        },
      },
    }),
  );
  const comment = el("textarea", { id: "rating-comment", rows: 2, maxlength: 500 });
  const submit = el("button", { type: "button", class: "primary", text: "提交评价" });
  submit.addEventListener("click", () => {
    if (chosen === null) {
      say(message, "请先选择一个分数。");
      return;
    }
    return busy(submit, message, async () => {
      const data = await graphql(
        `mutation($id: UUID!, $s: Int!, $c: String) { rateProposal(id: $id, score: $s, comment: $c) {
           __typename ... on RatingOutcome { score reopened proposal { status ratingWindow { outcome average } } }
           ... on Error { code message } } }`,
        { id: topic.id, s: chosen, c: comment.value.trim() || null },
      );
      const result = data.rateProposal;
      if (result.__typename !== "RatingOutcome") {
        say(message, errorText(result));
        return;
      }
      submit.dataset.done = "1";
      await onRated(result);
    });
  });
  box.append(
    el("h3", { text: "评价落实结果" }),
    el("p", { text: `这件事已经销号。您满意吗？请在 ${when(topic.ratingWindow.closesAt)} 前打分。` }),
    el("div", { class: "scores", role: "group", "aria-label": "满意度" }, scores),
    el("label", { for: "rating-comment", text: "想说的话（可选）" }),
    comment,
    submit,
    message,
  );
}

export async function showTopic(id, { home, back, open }) {
  const account = session.accountId();
  let topic;
  try {
    const data = await graphql(DETAIL, { id });
    if (data.proposal.__typename !== "Proposal") throw new Error(errorText(data.proposal));
    topic = data.proposal;
    kept.put(account, `topic:${id}`, topic);
  } catch (error) {
    const stored = error instanceof OfflineError ? kept.get(account, `topic:${id}`) : null;
    if (!stored) throw error;
    topic = stored.value;
  }
  say($("topic-message"), "");
  $("topic-title").textContent = topic.title;
  const meta = $("topic-meta");
  meta.replaceChildren(
    badge(topic.status),
    el("span", { text: `${CATEGORY[topic.category]} · ${day(topic.submittedOn)} 提出` }),
    el("span", { text: topic.anonymous ? " · 来自民主决议箱" : topic.raiserName ? ` · 提出人 ${topic.raiserName}` : "" }),
    el("span", { text: ` · 附议 ${topic.supportCount} 人` }),
  );
  $("topic-description").textContent = topic.description;
  $("topic-photos").replaceChildren(...(topic.attachments.length ? [photoList(topic.attachments, "议题照片")] : []));
  const mineIds = new Set(home.mine.edges.map((e) => e.node.id));
  const support = supportButton(topic, {
    raisedByMe: mineIds.has(topic.id) && !topic.viewerSupports,
    resident: home.viewer.kind === "RESIDENT",
    message: $("topic-message"),
    onDone: () => showTopic(id, { home, back, open }),
  });
  const notes = [];
  if (topic.status === "MERGED") {
    notes.push(el("p", { class: "note", text: "这个议题已和相似的议题合并办理，进展请看合并后的议题。" }));
    if (topic.mergedIntoId && open) {
      notes.push(
        el("button", {
          type: "button",
          class: "secondary",
          text: "查看合并后的议题",
          on: { click: () => open(topic.mergedIntoId).catch(console.error) },
        }),
      );
    }
  }
  if (topic.status === "CLOSED") notes.push(el("p", { class: "hint", text: "这件事已办结销号，不再接受附议。" }));
  if (["DECLINED", "WITHDRAWN"].includes(topic.status)) {
    notes.push(el("p", { class: "hint", text: "这个议题已不再办理，不能附议。" }));
  }
  $("topic-actions").replaceChildren(...notes, ...(support ? [support] : []));
  const pending = home.myPendingRatings.some((p) => p.id === topic.id);
  renderRating(topic, pending, async (outcome) => {
    home.myPendingRatings = home.myPendingRatings.filter((p) => p.id !== topic.id);
    await showTopic(id, { home, back, open });
    const decided = outcome.proposal.ratingWindow && outcome.proposal.ratingWindow.outcome;
    say(
      $("topic-message"),
      `谢谢您的评价（${outcome.score} 分）。${decided ? RATING_OUTCOME[decided] : "评价期结束后公布结果。"}`,
      "note",
    );
  });
  renderTimeline(topic, home.meetings);
}
