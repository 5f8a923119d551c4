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
    // A responsible contact's home: the first route their role may open (app.js `home`).
    path: "/my-resolutions",
    title: "我负责的事项",
    group: "议事",
    roles: ["contact"],
    component: () => import("./pages/my-resolutions.js"),
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
];
