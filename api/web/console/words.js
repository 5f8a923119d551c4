// The words of the grid and the council as residents and staff say them (DOMAIN.md).

export const POST_ROLES = {
  CADRE: "包联社区干部",
  GRID_CHIEF: "网格长",
  DEPUTY_CHIEF: "副网格长",
  GRID_MEMBER: "网格员",
  MICRO_GRID_MEMBER: "红色微网格员",
};

export const ROLES = {
  admin: "社区书记（管理员）",
  staff: "网格工作人员",
  contact: "责任联系人",
  resident: "居民",
};

export const GRID_LEVELS = { GRID: "网格", MICRO_GRID: "微网格" };

export function dateTime(value) {
  return value ? new Date(value).toLocaleString("zh-CN", { hour12: false }) : "";
}

export function date(value) {
  return value ? new Date(value).toLocaleDateString("zh-CN") : "";
}

// A device as people call it: "web" is the name the API gives a login that names none.
export function deviceName(name) {
  return name === "web" ? "浏览器" : name;
}
