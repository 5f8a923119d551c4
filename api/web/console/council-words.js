// The council's words as staff say them (the same as the ledger export's, domain/words.py),
// with the Element Plus tag colour each status shows in.

export const STATUSES = {
  SUBMITTED: { label: "已提交", type: "info" },
  ACCEPTED: { label: "已列入议程", type: "primary" },
  DELIBERATED: { label: "已议定", type: "primary" },
  IN_PROGRESS: { label: "落实中", type: "warning" },
  REPORTED: { label: "已汇报", type: "warning" },
  CLOSED: { label: "已销号", type: "success" },
  DECLINED: { label: "未采纳", type: "info" },
  MERGED: { label: "已合并", type: "info" },
  WITHDRAWN: { label: "已撤回", type: "info" },
};

export const CATEGORIES = {
  PARKING: "停车出行",
  PROPERTY_SERVICE: "物业服务",
  REPAIRS: "水电维修",
  ILLEGAL_STRUCTURES: "拆违治乱",
  RENOVATION_NOISE: "装修扰民",
  OTHER: "其他",
};

export const SOURCES = {
  RESIDENT: "居民提出",
  VISIT: "网格员走访",
  MEETING: "会上提出",
  ONLINE: "网上反映",
  SUGGESTION_BOX: "民主决议箱",
};

export const MEETING_KINDS = { DELIBERATION: "议事会", REPORT_BACK: "汇报会" };

export const LEVELS = {
  GRID_CHIEF: { label: "网格长督办", type: "warning" },
  CADRE: { label: "包联干部督办", type: "warning" },
  ADMIN: { label: "社区书记督办", type: "danger" },
};

export const RATING_OUTCOMES = {
  KEPT_CLOSED: "满意，维持销号",
  REOPENED: "评价低于标准，重新落实",
  TOO_FEW_RATINGS: "评价人数不足，维持销号",
};

export function statusLabel(status) {
  return (STATUSES[status] || { label: status }).label;
}

export function statusType(status) {
  return (STATUSES[status] || { type: "info" }).type;
}

// Grid nodes as options: "第一网格" and, below it, "第一网格 / 1号楼1单元" (flat: option
// groups fail axe-core's checks).
export function gridOptions(grids) {
  const byId = new Map(grids.map((g) => [g.id, g]));
  return grids.map((g) => ({
    value: g.id,
    label: g.parentId && byId.has(g.parentId) ? `${byId.get(g.parentId).name} / ${g.name}` : g.name,
  }));
}

// A meeting's or an event's time to the minute: 2026/12/9 19:00.
export function minute(value) {
  return value
    ? new Date(value).toLocaleString("zh-CN", {
        hour12: false,
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "2-digit",
        minute: "2-digit",
      })
    : "";
}
