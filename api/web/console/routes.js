// The console's pages: where each lives, its name in the menu, its group, and which roles
// see it (admin = 社区书记, staff = grid staff with posts, contact = a responsible contact with
// no post). The server decides what each person may read and change; the menu only hides
// what would answer "no".

export const GROUPS = ["概览", "设置", "日常", "议事", "运维"];

export const routes = [
  {
    path: "/",
    title: "工作概览",
    group: "概览",
    roles: ["admin", "staff"],
    component: () => import("./pages/home.js"),
  },
  {
    path: "/setup",
    title: "开始设置",
    group: "设置",
    roles: ["admin"],
    component: () => import("./pages/setup.js"),
  },
  {
    path: "/import",
    title: "导入花名册",
    group: "设置",
    roles: ["admin"],
    component: () => import("./pages/register-import.js"),
  },
  {
    path: "/tags",
    title: "居民标签",
    group: "设置",
    roles: ["admin"],
    component: () => import("./pages/tags.js"),
  },
  {
    path: "/households",
    title: "住户与居民",
    group: "日常",
    roles: ["admin", "staff"],
    component: () => import("./pages/households.js"),
  },
  {
    path: "/coverage",
    title: "联系覆盖",
    group: "日常",
    roles: ["admin", "staff"],
    component: () => import("./pages/coverage.js"),
  },
  {
    path: "/codes",
    title: "登录码",
    group: "日常",
    roles: ["admin", "staff"],
    component: () => import("./pages/codes.js"),
  },
  {
    path: "/topics",
    title: "议题",
    group: "议事",
    roles: ["admin", "staff"],
    component: () => import("./pages/topics.js"),
  },
  {
    path: "/meetings",
    title: "会议",
    group: "议事",
    roles: ["admin", "staff"],
    component: () => import("./pages/meetings.js"),
  },
  {
    path: "/meetings/:id",
    title: "会议详情",
    group: "议事",
    roles: ["admin", "staff"],
    hidden: true,
    component: () => import("./pages/meeting.js"),
  },
  {
    path: "/votes",
    title: "表决",
    group: "议事",
    roles: ["admin", "staff"],
    component: () => import("./pages/votes.js"),
  },
  {
    path: "/votes/:id",
    title: "表决详情",
    group: "议事",
    roles: ["admin", "staff"],
    hidden: true,
    component: () => import("./pages/vote.js"),
  },
  {
    path: "/report-back",
    title: "汇报会",
    group: "议事",
    roles: ["admin", "staff"],
    component: () => import("./pages/report-back.js"),
  },
  {
    path: "/ledger",
    title: "台账",
    group: "议事",
    roles: ["admin", "staff"],
    component: () => import("./pages/ledger.js"),
  },
  {
    path: "/overdue",
    title: "逾期督办",
    group: "议事",
    roles: ["admin", "staff"],
    component: () => import("./pages/overdue.js"),
  },
  {
    path: "/conflicts",
    title: "同步冲突",
    group: "运维",
    roles: ["admin", "staff"],
    component: () => import("./pages/conflicts.js"),
  },
  {
    path: "/devices",
    title: "设备",
    group: "运维",
    roles: ["admin", "staff"],
    component: () => import("./pages/devices.js"),
  },
  {
    path: "/access-log",
    title: "访问记录",
    group: "运维",
    roles: ["admin"],
    component: () => import("./pages/access-log.js"),
  },
  {
    path: "/settings",
    title: "社区设置",
    group: "运维",
    roles: ["admin"],
    component: () => import("./pages/settings.js"),
  },
  {
    // A responsible contact's home: the first route their role may open (app.js `home`).
    path: "/my-resolutions",
    title: "我负责的事项",
    group: "议事",
    roles: ["contact"],
    component: () => import("./pages/my-resolutions.js"),
  },
];
