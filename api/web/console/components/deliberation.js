// 议事: what the meeting agreed on one agenda item: the solution, the responsible contact
// (联系人: an account, such as the property company's, or just a name) and the deadline.
import { ERROR_FIELDS, gql, problem } from "../api.js";
import { POST_ROLES } from "../words.js";

const { ref, reactive, computed, watch } = Vue;
const { ElMessage } = ElementPlus;

const CONTACTS = "{ contactAccounts { id displayName kind } posts { accountId role grid { name } } }";
const DELIBERATE = `mutation($m: UUID!, $p: UUID!, $a: AgreementInput!) {
  deliberate(meetingId: $m, proposalId: $p, agreement: $a) { __typename ${ERROR_FIELDS}
    ... on Resolution { id } } }`;

// "蔡颖（第一网格 网格长）", "丁梦诗（无岗位）": whom the name stands for.
function accountLabels(accounts, posts) {
  const held = new Map();
  for (const post of posts) {
    const text = `${post.grid ? post.grid.name : ""} ${POST_ROLES[post.role] || ""}`.trim();
    held.set(post.accountId, [...(held.get(post.accountId) || []), text]);
  }
  return accounts.map((a) => ({
    value: a.id,
    label: `${a.displayName}（${a.kind === "ADMIN" ? "社区书记" : (held.get(a.id) || ["无岗位"]).join("、")}）`,
  }));
}

export default {
  name: "DeliberationDialog",
  props: {
    modelValue: { type: Boolean, default: false },
    meetingId: { type: String, required: true },
    item: { type: Object, default: null },
  },
  emits: ["update:modelValue", "decided"],
  template: `
    <el-dialog :model-value="modelValue" @update:model-value="$emit('update:modelValue', $event)"
      :title="'议定：' + (item && item.proposal ? item.proposal.title : '')" width="min(600px, 94vw)" append-to-body>
      <el-form label-position="top" @submit.prevent="submit" aria-label="议定事项">
        <el-form-item label="解决办法" for="deliberation-solution">
          <el-input id="deliberation-solution" v-model="form.solution" type="textarea" :rows="4" maxlength="2000" show-word-limit
            placeholder="会上商定的解决办法" />
        </el-form-item>
        <el-form-item label="联系人">
          <el-radio-group v-model="form.by" aria-label="联系人的方式">
            <el-radio value="account">选择账号</el-radio>
            <el-radio value="name">只填姓名</el-radio>
          </el-radio-group>
        </el-form-item>
        <el-form-item v-if="form.by === 'account'" label="联系人账号" for="deliberation-account">
          <el-select id="deliberation-account" v-model="form.accountId" filterable placeholder="选择负责落实的账号"
            aria-label="联系人账号" style="width: 100%">
            <el-option v-for="a in accounts" :key="a.value" :label="a.label" :value="a.value" />
          </el-select>
        </el-form-item>
        <el-form-item :label="form.by === 'account' ? '联系人称呼（可不填，如：物业公司 丁梦诗）' : '联系人姓名'" for="deliberation-name">
          <el-input id="deliberation-name" v-model="form.name" maxlength="50" />
        </el-form-item>
        <el-form-item label="完成期限" for="deliberation-deadline">
          <el-date-picker id="deliberation-deadline" v-model="form.deadline" type="date" value-format="YYYY-MM-DD"
            placeholder="选择日期" aria-label="完成期限" style="width: 100%" />
        </el-form-item>
      </el-form>
      <template #footer>
        <el-button @click="$emit('update:modelValue', false)">取消</el-button>
        <el-button type="primary" :loading="busy" @click="submit">记录议定事项</el-button>
      </template>
    </el-dialog>`,
  setup(props, { emit }) {
    const form = reactive({ solution: "", by: "account", accountId: "", name: "", deadline: "" });
    const accounts = ref([]);
    const busy = ref(false);

    watch(
      () => props.modelValue,
      async (open) => {
        if (!open) return;
        Object.assign(form, { solution: "", by: "account", accountId: "", name: "", deadline: "" });
        if (accounts.value.length) return;
        try {
          const data = await gql(CONTACTS);
          accounts.value = accountLabels(data.contactAccounts, data.posts);
        } catch (error) {
          ElMessage.error(error.message);
        }
      },
    );

    async function submit() {
      const agreement = {
        solution: form.solution,
        deadline: form.deadline,
        contactAccountId: form.by === "account" ? form.accountId || null : null,
        contactName: form.name.trim() || null,
      };
      if (!form.solution.trim() || !form.deadline) {
        ElMessage.warning("请填写解决办法和完成期限。");
        return;
      }
      if (!agreement.contactAccountId && !agreement.contactName) {
        ElMessage.warning("请选择联系人账号或填写联系人姓名。");
        return;
      }
      busy.value = true;
      try {
        const data = await gql(DELIBERATE, {
          m: props.meetingId,
          p: props.item.proposalId,
          a: agreement,
        });
        const message = problem(data.deliberate, "Resolution");
        if (message) {
          ElMessage.error(message);
          return;
        }
        ElMessage.success("议定事项已记录");
        emit("update:modelValue", false);
        emit("decided");
      } catch (error) {
        ElMessage.error(error.message);
      } finally {
        busy.value = false;
      }
    }

    return { form, accounts, busy, submit, ready: computed(() => accounts.value.length > 0) };
  },
};
