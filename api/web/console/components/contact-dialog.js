// 指定联系人: for one or several households, a post that covers each one's micro-grid,
// 红色微网格员 of that micro-grid first, then the posts above it. Households are grouped by micro-grid, one choice each.
import { gql } from "../api.js";
import { address, postLabel } from "../registry.js";

const { ref, computed } = Vue;

const CHUNK = 10; // aliases per request, well inside the server's alias and token limits

function assignDocument(count) {
  const variables = [];
  const fields = [];
  for (let i = 0; i < count; i += 1) {
    variables.push(`$h${i}: UUID!, $p${i}: UUID!`);
    fields.push(`a${i}: assignHouseholdContact(householdId: $h${i}, postId: $p${i}) {
      __typename ... on Error { code message } }`);
  }
  return `mutation(${variables.join(", ")}) { ${fields.join("\n")} }`;
}

// Assign each [householdId, postId]; returns the messages of those the server refused.
export async function assignContacts(pairs) {
  const refused = [];
  for (let start = 0; start < pairs.length; start += CHUNK) {
    const chunk = pairs.slice(start, start + CHUNK);
    const variables = {};
    chunk.forEach(([household, post], i) => {
      variables[`h${i}`] = household;
      variables[`p${i}`] = post;
    });
    const data = await gql(assignDocument(chunk.length), variables);
    chunk.forEach((_, i) => {
      const result = data[`a${i}`];
      if (result.__typename !== "Household") refused.push(result.message);
    });
  }
  return refused;
}

export default {
  name: "ContactDialog",
  props: {
    modelValue: { type: Boolean, default: false },
    households: { type: Array, default: () => [] },
    posts: { type: Array, default: () => [] },
    grids: { type: Array, default: () => [] },
  },
  emits: ["update:modelValue", "assigned"],
  template: `
    <el-dialog :model-value="modelValue" @update:model-value="$emit('update:modelValue', $event)"
      title="指定联系人" width="min(560px, 94vw)" @open="fill" append-to-body>
      <p class="muted">每户都要有一名红色网格员联系。为 {{ households.length }} 户选择联系人：</p>
      <el-form label-position="top" @submit.prevent="save">
        <el-form-item v-for="group in groups" :key="group.grid.id" :for="'contact-' + group.grid.id"
          :label="group.grid.name + '（' + group.households.length + ' 户：' + group.sample + '）'">
          <el-select :id="'contact-' + group.grid.id" v-model="choice[group.grid.id]" placeholder="选择联系人"
            :aria-label="group.grid.name + '的联系人'" style="width: 100%">
            <el-option v-for="post in group.members" :key="post.id" :label="postLabel(post)" :value="post.id" />
            <el-option v-for="post in group.others" :key="post.id" :label="postLabel(post) + ' · ' + gridName(post.gridId)"
              :value="post.id" />
          </el-select>
          <p v-if="!group.members.length" class="muted hint">这个微网格还没有红色微网格员，可先在岗位设置中安排。</p>
        </el-form-item>
        <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
      </el-form>
      <template #footer>
        <el-button @click="$emit('update:modelValue', false)">取消</el-button>
        <el-button type="primary" :loading="busy" :disabled="!ready" @click="save">确定</el-button>
      </template>
    </el-dialog>`,
  setup(props, { emit }) {
    const choice = ref({});
    const error = ref("");
    const busy = ref(false);
    const groups = computed(() => {
      const byId = new Map(props.grids.map((g) => [g.id, g]));
      const found = new Map();
      for (const household of props.households) {
        if (!found.has(household.gridId)) {
          const grid = byId.get(household.gridId) || { id: household.gridId, name: "微网格" };
          const covering = props.posts.filter((p) => p.gridId === grid.id || p.gridId === grid.parentId);
          const members = covering.filter((p) => p.gridId === grid.id && p.role === "MICRO_GRID_MEMBER");
          const others = covering.filter((p) => !members.includes(p));
          found.set(grid.id, { grid, households: [], members, others, sample: "" });
        }
        found.get(household.gridId).households.push(household);
      }
      for (const group of found.values()) {
        const names = group.households.slice(0, 3).map(address);
        group.sample = names.join("、") + (group.households.length > 3 ? " 等" : "");
      }
      return [...found.values()];
    });
    function fill() {
      error.value = "";
      const chosen = {};
      for (const group of groups.value) {
        if (group.members.length === 1) chosen[group.grid.id] = group.members[0].id;
      }
      choice.value = chosen;
    }
    async function save() {
      error.value = "";
      busy.value = true;
      try {
        const pairs = groups.value.flatMap((group) =>
          group.households.map((household) => [household.id, choice.value[group.grid.id]]),
        );
        const refused = await assignContacts(pairs);
        const done = pairs.length - refused.length;
        if (refused.length) {
          error.value = `${refused.length} 户没有指定成功：${[...new Set(refused)].join("；")}`;
          if (done) emit("assigned", done);
          return;
        }
        emit("update:modelValue", false);
        emit("assigned", done);
      } catch (failure) {
        error.value = failure.message;
      } finally {
        busy.value = false;
      }
    }
    return {
      choice,
      error,
      busy,
      groups,
      postLabel,
      gridName: (id) => (props.grids.find((g) => g.id === id) || { name: "" }).name,
      ready: computed(() => groups.value.length > 0 && groups.value.every((g) => choice.value[g.grid.id])),
      fill,
      save,
    };
  },
};
