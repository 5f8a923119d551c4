// The words of a vote's rule as the council says them, and what each choice means (the
// rules are domain/tally.py's and domain/electorate.py's; keep the two in step).

export const ELECTORATES = {
  ADULT_RESIDENTS: {
    label: "全体成年居民",
    help: "登记在册、年满18岁的居民每人一票（可限定为某个网格及其下的微网格）。",
  },
  HOUSEHOLDS: {
    label: "按户表决",
    help: "每户一票，由该户指定的投票代表投出；没有指定代表时，户内任一成年人可投，但全户只算一票。",
  },
  PANEL: {
    label: "议事小组",
    help: "只有选定小组（如五方协商小组）的成员投票，不限网格。",
  },
};

export const THRESHOLDS = {
  SIMPLE_MAJORITY: { label: "简单多数", help: "赞成票多于反对票即通过，弃权不计入比较。" },
  TWO_THIRDS: { label: "三分之二多数", help: "赞成票不少于所投全部票数（含反对、弃权）的三分之二才通过。" },
  UNANIMITY: { label: "全体一致", help: "小组全体成员都投赞成才通过（仅用于议事小组表决）。" },
};

export const STATUSES = {
  SCHEDULED: { label: "未开始", type: "info" },
  OPEN: { label: "投票中", type: "success" },
  COUNTING: { label: "计票中", type: "warning" },
  CLOSED: { label: "已结束", type: "info" },
};

export const CHOICES = { FOR: "赞成", AGAINST: "反对", ABSTAIN: "弃权" };

export function ruleText(vote) {
  const parts = [ELECTORATES[vote.electorate].label, THRESHOLDS[vote.threshold].label];
  parts.push(vote.secret ? "无记名" : "记名");
  const quorum = [];
  if (vote.quorumPercent) quorum.push(`${vote.quorumPercent}%`);
  if (vote.quorumBallots) quorum.push(`${vote.quorumBallots}票`);
  parts.push(quorum.length ? `有效票数不少于 ${quorum.join(" 且 ")}` : "不设最低票数");
  return parts.join("，");
}

export function outcome(tally) {
  if (!tally.final) return tally.countsHidden ? "票数暂不公开" : "尚未结束";
  if (!tally.quorumMet) return "未达到最低票数，未通过";
  return tally.passed ? "通过" : "未通过";
}
