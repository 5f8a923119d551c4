// 台账: every topic the viewer may work on, oldest first, filtered by status, category and
// whether it is overdue, a page at a time; exported as CSV or Excel with the same filters
// through /export/ledger.{csv,xlsx} (the same bearer token, the same rules as the query).
import { downloadFile, gql } from "../api.js";
import { CATEGORIES, STATUSES, statusLabel, statusType } from "../council-words.js";
import { date } from "../words.js";

const { ref, reactive, onMounted } = Vue;
const { ElMessage } = ElementPlus;

const PAGE = 20;
const LEDGER = `query($first: Int, $after: String, $filter: LedgerFilter) {
  ledger(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { proposalId title status category submittedOn gridName contactName deadline
      overdue averageRating supportCount } } } }`;

export default {
  name: "LedgerPage",
  template: `
    <section class="ledger">
      <el-form class="filters" :inline="true" @submit.prevent="search" aria-label="筛选台账">
        <el-form-item label="状态" for="ledger-status">
          <el-select id="ledger-status" v-model="filters.status" clearable placeholder="全部状态" aria-label="状态"
            @change="search" style="width: 130px">
            <el-option v-for="(s, key) in statuses" :key="key" :label="s.label" :value="key" />
          </el-select>
        </el-form-item>
        <el-form-item label="类别" for="ledger-category">
          <el-select id="ledger-category" v-model="filters.category" clearable placeholder="全部类别" aria-label="类别"
            @change="search" style="width: 130px">
            <el-option v-for="(label, key) in categories" :key="key" :label="label" :value="key" />
          </el-select>
        </el-form-item>
        <el-form-item label="逾期" for="ledger-overdue">
          <el-select id="ledger-overdue" v-model="filters.overdue" aria-label="逾期" @change="search" style="width: 110px">
            <el-option label="不限" value="any" />
            <el-option label="已逾期" value="true" />
            <el-option label="未逾期" value="false" />
          </el-select>
        </el-form-item>
        <el-form-item>
          <el-button @click="exportAs('xlsx')" :loading="exporting === 'xlsx'">导出 Excel</el-button>
          <el-button @click="exportAs('csv')" :loading="exporting === 'csv'">导出 CSV</el-button>
        </el-form-item>
      </el-form>
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
      <p class="muted" data-test="ledger-count">共 {{ total }} 项，第 {{ pageNumber }} 页</p>
      <el-table :data="rows" v-loading="loading" row-key="proposalId" empty-text="没有符合条件的事项" aria-label="台账">
        <el-table-column label="议题" min-width="220">
          <template #default="{ row }">
            <router-link class="council-link" :to="'/topics?open=' + row.proposalId">{{ row.title }}</router-link>
          </template>
        </el-table-column>
        <el-table-column label="状态" width="110">
          <template #default="{ row }"><el-tag :type="statusType(row.status)">{{ statusLabel(row.status) }}</el-tag></template>
        </el-table-column>
        <el-table-column label="类别" width="95"><template #default="{ row }">{{ categories[row.category] }}</template></el-table-column>
        <el-table-column label="提出" width="115"><template #default="{ row }">{{ day(row.submittedOn) }}</template></el-table-column>
        <el-table-column label="网格" width="110"><template #default="{ row }">{{ row.gridName || "全社区" }}</template></el-table-column>
        <el-table-column label="联系人" width="150"><template #default="{ row }">{{ row.contactName || "—" }}</template></el-table-column>
        <el-table-column label="期限" width="150">
          <template #default="{ row }">{{ row.deadline ? day(row.deadline) : "—" }}
            <el-tag v-if="row.overdue" type="danger" size="small">逾期</el-tag></template>
        </el-table-column>
        <el-table-column label="满意度" width="80">
          <template #default="{ row }">{{ row.averageRating == null ? "—" : row.averageRating.toFixed(1) }}</template>
        </el-table-column>
        <el-table-column label="附议" width="65" prop="supportCount" />
      </el-table>
      <div class="pager">
        <el-button :disabled="!cursors.length || loading" @click="previous">上一页</el-button>
        <el-button :disabled="!next || loading" @click="forward">下一页</el-button>
      </div>
    </section>`,
  setup() {
    const filters = reactive({ status: "", category: "", overdue: "any" });
    const rows = ref([]);
    const total = ref(0);
    const next = ref(null);
    const cursors = ref([]); // the `after` of each earlier page, for 上一页
    const here = ref(null);
    const loading = ref(false);
    const error = ref("");
    const exporting = ref("");

    function filter() {
      const f = {};
      if (filters.status) f.status = filters.status;
      if (filters.category) f.category = filters.category;
      if (filters.overdue !== "any") f.overdue = filters.overdue === "true";
      return f;
    }

    async function load(after) {
      loading.value = true;
      error.value = "";
      try {
        const page = (await gql(LEDGER, { first: PAGE, after, filter: filter() })).ledger;
        rows.value = page.edges.map((e) => e.node);
        total.value = page.totalCount;
        next.value = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
        here.value = after;
      } catch (problem_) {
        error.value = problem_.message;
      } finally {
        loading.value = false;
      }
    }

    async function exportAs(format) {
      const query = new URLSearchParams();
      if (filters.status) query.set("status", filters.status.toLowerCase());
      if (filters.category) query.set("category", filters.category.toLowerCase());
      if (filters.overdue !== "any") query.set("overdue", filters.overdue);
      const today = new Date().toISOString().slice(0, 10);
      exporting.value = format;
      try {
        await downloadFile(`/export/ledger.${format}?${query}`, `台账-${today}.${format}`);
      } catch (problem_) {
        ElMessage.error(problem_.message);
      } finally {
        exporting.value = "";
      }
    }

    onMounted(() => load(null));
    return {
      filters,
      rows,
      total,
      next,
      cursors,
      loading,
      error,
      exporting,
      statuses: STATUSES,
      categories: CATEGORIES,
      statusLabel,
      statusType,
      day: date,
      pageNumber: Vue.computed(() => cursors.value.length + 1),
      search() {
        cursors.value = [];
        load(null);
      },
      forward() {
        cursors.value = [...cursors.value, here.value];
        load(next.value);
      },
      previous() {
        const earlier = [...cursors.value];
        const after = earlier.pop();
        cursors.value = earlier;
        load(after);
      },
      exportAs,
    };
  },
};
