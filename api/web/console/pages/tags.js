// 居民标签: the community's own words for the residents grid staff look after first (独居老人,
// 低保户…). Adding, renaming (which renames the tag on every resident carrying it) and
// removing (refused by the server while residents still carry the word).
import { ERROR_FIELDS, gql, problem } from "../api.js";
import { loadTags } from "../registry.js";

const { ref, onMounted } = Vue;
const { ElMessage, ElMessageBox } = ElementPlus;

const SET = `mutation($t: [String!]!) { setResidentTags(tags: $t) {
  __typename ... on ResidentTags { tags } ${ERROR_FIELDS} } }`;
const RENAME = `mutation($f: String!, $t: String!) { renameResidentTag(from: $f, to: $t) {
  __typename ... on ResidentTags { tags } ${ERROR_FIELDS} } }`;

export default {
  name: "TagsPage",
  template: `
    <section class="tags-page">
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
      <p class="muted">工作人员给居民打的标签只能从这里的词中选择，导入花名册时“标签”一列也按这些词检查。</p>
      <el-form inline @submit.prevent="add" class="add-form">
        <el-form-item label="新标签" for="new-tag">
          <el-input id="new-tag" v-model="word" maxlength="20" placeholder="例如：失独家庭" clearable />
        </el-form-item>
        <el-form-item>
          <el-button type="primary" native-type="submit" :disabled="!word.trim()">添加</el-button>
        </el-form-item>
      </el-form>
      <el-table :data="rows" v-loading="loading" aria-label="居民标签" empty-text="还没有标签">
        <el-table-column type="index" label="序号" width="70" />
        <el-table-column prop="word" label="标签" min-width="160" />
        <el-table-column label="操作" width="170">
          <template #default="{ row }">
            <el-button size="small" @click="rename(row.word)">改名</el-button>
            <el-button size="small" type="danger" plain @click="remove(row.word)">删除</el-button>
          </template>
        </el-table-column>
      </el-table>
    </section>`,
  setup() {
    const rows = ref([]);
    const word = ref("");
    const loading = ref(false);
    const error = ref("");

    function show(words) {
      rows.value = words.map((w) => ({ word: w }));
    }
    async function load() {
      loading.value = true;
      try {
        show((await loadTags(true)).map((t) => t.value));
      } catch (failure) {
        error.value = failure.message;
      } finally {
        loading.value = false;
      }
    }
    async function save(query, variables, field, done) {
      error.value = "";
      try {
        const result = (await gql(query, variables))[field];
        const message = problem(result, "ResidentTags");
        if (message) {
          error.value = message;
          return false;
        }
        show(result.tags);
        await loadTags(true);
        ElMessage.success(done);
        return true;
      } catch (failure) {
        error.value = failure.message;
        return false;
      }
    }
    async function add() {
      const next = word.value.trim();
      if (!next) return;
      if (await save(SET, { t: [...rows.value.map((r) => r.word), next] }, "setResidentTags", "标签已添加")) {
        word.value = "";
      }
    }
    async function rename(old) {
      try {
        const { value } = await ElMessageBox.prompt(`把“${old}”改为：`, "标签改名", {
          inputValue: old,
          confirmButtonText: "改名",
          cancelButtonText: "取消",
        });
        if (value && value.trim() !== old) {
          await save(RENAME, { f: old, t: value.trim() }, "renameResidentTag", "标签已改名");
        }
      } catch {
        // cancelled
      }
    }
    async function remove(gone) {
      try {
        await ElMessageBox.confirm(`删除标签“${gone}”？仍有居民带有此标签时不能删除。`, "删除标签", {
          confirmButtonText: "删除",
          cancelButtonText: "取消",
          type: "warning",
        });
      } catch {
        return;
      }
      await save(SET, { t: rows.value.map((r) => r.word).filter((w) => w !== gone) }, "setResidentTags", "标签已删除");
    }

    onMounted(load);
    return { rows, word, loading, error, add, rename, remove };
  },
};
