// What the households and coverage pages share: the grid tree as the pages show it, which
// micro-grids the viewer may put households in, addresses, tags and the reasons for reading
// personal data in full.
import { gql } from "./api.js";
import { POST_ROLES } from "./words.js";

// The community's tag vocabulary (独居老人, 低保户…, edited on the 标签 page): filled once per
// page load by `loadTags`, reactive so that forms opened before it arrives show it too.
export const TAGS = Vue.reactive([]);

let tagsLoading = null;

export function loadTags(force = false) {
  if (force || !tagsLoading) {
    tagsLoading = gql("{ residentTags }").then((data) => {
      TAGS.splice(0, TAGS.length, ...data.residentTags.map((word) => ({ value: word, label: word })));
      return TAGS;
    });
    tagsLoading.catch(() => {
      tagsLoading = null;
    });
  }
  return tagsLoading;
}

export function tagLabel(value) {
  return value;
}

// Why the full value is needed: written to the access log with the read (PIPL).
export const REVEAL_REASONS = ["上门走访", "核实信息", "紧急联系", "办理业务", "矛盾调解", "关爱帮扶"];

export function address(household) {
  const room = household.room && household.room.value;
  return `${household.building}${household.unit}${room ? ` ${room}室` : ""}`;
}

// The grid tree from the flat `grids` list (parents come before their children).
export function gridTree(grids) {
  const nodes = new Map(grids.map((g) => [g.id, { ...g, children: [] }]));
  const roots = [];
  for (const node of nodes.values()) {
    const parent = node.parentId && nodes.get(node.parentId);
    (parent ? parent.children : roots).push(node);
  }
  return roots;
}

// The micro-grids the viewer may put a household in: all for the admin, else those under
// one of their posts (a post covers its node's subtree). The server checks it again.
export function editableMicroGrids(grids, viewer, role) {
  const micro = grids.filter((g) => g.level === "MICRO_GRID");
  if (role === "admin") return micro;
  const held = new Set((viewer && viewer.posts ? viewer.posts : []).map((p) => p.gridId));
  return micro.filter((g) => held.has(g.id) || held.has(g.parentId));
}

// Micro-grids grouped under their grid, for <el-option-group>.
export function microGridGroups(grids, allowed) {
  const ok = new Set(allowed.map((g) => g.id));
  return gridTree(grids)
    .map((grid) => ({ id: grid.id, name: grid.name, options: grid.children.filter((c) => ok.has(c.id)) }))
    .filter((group) => group.options.length);
}

export async function loadGrids() {
  const data = await gql("{ grids { id name level parentId } }");
  return data.grids;
}

export function postLabel(post) {
  const name = post.account ? post.account.displayName : "";
  return `${name}（${POST_ROLES[post.role] || post.role}）`;
}

// A union error's message, with the field it names when there is one (InvalidInputError).
export const ERROR_SELECTION = "... on Error { code message } ... on InvalidInputError { field }";
