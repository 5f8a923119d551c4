// The words the residents' page shows for the API's enums, and its own messages.

export const TOPIC_STATUS = {
  SUBMITTED: "待受理",
  ACCEPTED: "已受理",
  DECLINED: "未采纳",
  DELIBERATED: "已议定",
  IN_PROGRESS: "落实中",
  REPORTED: "已汇报",
  CLOSED: "已销号",
  MERGED: "已合并",
  WITHDRAWN: "已撤回",
};
// 附议 is possible while a topic is still being worked on (domain.lifecycle.OPEN).
export const SUPPORTABLE = new Set(["SUBMITTED", "ACCEPTED", "DELIBERATED", "IN_PROGRESS", "REPORTED"]);

export const CATEGORY = {
  PARKING: "停车出行",
  PROPERTY_SERVICE: "物业服务",
  REPAIRS: "水电维修",
  ILLEGAL_STRUCTURES: "拆违治乱",
  RENOVATION_NOISE: "装修扰民",
  OTHER: "其他",
};

export const CHOICE = { FOR: "赞成", AGAINST: "反对", ABSTAIN: "弃权" };
export const THRESHOLD = {
  SIMPLE_MAJORITY: "简单多数（赞成多于反对）",
  TWO_THIRDS: "三分之二多数",
  UNANIMITY: "全体一致",
};
export const ELECTORATE = {
  ADULT_RESIDENTS: "全体成年居民",
  HOUSEHOLDS: "每户一票（户代表）",
  PANEL: "协商小组成员",
};
export const VOTE_STATUS = { OPEN: "进行中", COUNTING: "计票中", CLOSED: "已结束", SCHEDULED: "未开始" };
export const MEETING_KIND = { DELIBERATION: "议事会", REPORT_BACK: "汇报会" };
export const RATING_OUTCOME = {
  KEPT_CLOSED: "居民评价满意，维持销号",
  REOPENED: "评价未达到要求，已重新落实",
  TOO_FEW_RATINGS: "参与评价的人数不足，维持销号",
};
export const SCORE = { 1: "很不满意", 2: "不满意", 3: "一般", 4: "满意", 5: "很满意" };

// An InvalidInputError's message starts with the input's name as sent ("title: …").
export const FIELD = {
  title: "标题",
  description: "说明",
  category: "类别",
  attachments: "照片",
  file: "照片",
  score: "评分",
  comment: "留言",
  code: "登录码",
  changeToken: "改票凭证",
  text: "内容",
  source: "来源",
};

export const SAID = {
  offline: "现在没有网络：这一步需要连上服务器，请到有信号的地方再试。",
  failed: "网络或服务器异常，请稍后重试。",
  slow: "正在连接服务器，请稍候…",
  sending: "正在提交…",
};

export function when(iso) {
  return new Date(iso).toLocaleString("zh-CN", { dateStyle: "medium", timeStyle: "short" });
}

export function day(iso) {
  return new Date(iso).toLocaleDateString("zh-CN", { dateStyle: "medium" });
}

export function errorText(result) {
  if (!result || !result.message) return SAID.failed;
  if (result.field && result.message.startsWith(`${result.field}: `)) {
    const label = FIELD[result.field] || "";
    const rest = result.message.slice(result.field.length + 2);
    return label ? `${label}：${rest}` : rest;
  }
  return result.message;
}
