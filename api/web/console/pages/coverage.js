// 联系覆盖: 每户都有一名红色网格员联系. The grid tree with each node's households, those with a
// contact and the ratio; the households still without one; and assigning contacts to one or
// several of them at once. The numbers are the server's, read again after each change.
import { gql } from "../api.js";
import ContactDialog from "../components/contact-dialog.js";
import { address, gridTree } from "../registry.js";

const { ref, computed, onMounted } = Vue;
const { ElMessage } = ElementPlus;

const PAGE = 50;
const HOUSEHOLD = `id building unit room { value } gridId grid { id name parentId } residents { id }`;
const PAGE_FIELDS = `totalCount pageInfo { hasNextPage endCursor } edges { node { ${HOUSEHOLD} } }`;

const COVERAGE = `query($first: Int, $after: String) {
  coverage { households covered ratio
    grids { grid { id name level parentId } households covered ratio }
    uncoveredHouseholds(first: $first, after: $after) { ${PAGE_FIELDS} } }
  grids { id name level parentId }
  posts { id role gridId account { displayName } } }`;

const UNCOVERED_IN = `query($first: Int, $after: String, $grid: UUID) {
  households(first: $first, after: $after, filter: { hasContact: false, gridId: $grid }) { ${PAGE_FIELDS} } }`;

function percent(ratio) {
  return Math.round(ratio * 1000) / 10;
}

export default {
  name: "CoveragePage",
  components: { ContactDialog },
  template: `
    <section class="coverage">
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
      <div class="cards" v-if="summary">
        <el-card shadow="never">
          <div class="muted">住户</div>
          <p class="stat" data-test="coverage-households">{{ summary.households }}</p>
        </el-card>
        <el-card shadow="never">
          <div class="muted">已落实联系人</div>
          <p class="stat" data-test="coverage-covered">{{ summary.covered }}</p>
          <div class="muted">覆盖率 {{ percent(summary.ratio) }}%</div>
        </el-card>
        <el-card shadow="never">
          <div class="muted">未落实联系人</div>
          <p class="stat" data-test="coverage-uncovered">{{ summary.households - summary.covered }}</p>
          <div class="muted">户待安排</div>
        </el-card>
      </div>
      <h2>各网格覆盖情况</h2>
      <el-table :data="tree" row-key="id" default-expand-all v-loading="loading" aria-label="各网格覆盖情况"
        empty-text="还没有住户" :tree-props="{ children: 'children' }" class="coverage-tree">
        <el-table-column label="网格" min-width="170">
          <template #default="{ row }">
            <span class="grid-name" :class="{ 'grid-top': row.level === 'GRID' }">{{ row.name }}</span>
          </template>
        </el-table-column>
        <el-table-column prop="households" label="住户" width="70" align="right" />
        <el-table-column prop="covered" label="已落实" width="76" align="right" />
        <el-table-column label="覆盖率" min-width="150">
          <template #default="{ row }">
            <el-progress :percentage="percent(row.ratio)" :color="row.ratio >= 1 ? '#2a7a2e' : '#9a5b06'"
              :stroke-width="10" :aria-label="row.name + '覆盖率'" />
          </template>
        </el-table-column>
        <el-table-column label="操作" width="120" fixed="right">
          <template #default="{ row }">
            <el-button v-if="row.households > row.covered" link type="primary" @click="focus(row)">
              看未落实 {{ row.households - row.covered }} 户
            </el-button>
          </template>
        </el-table-column>
      </el-table>
      <h2 class="uncovered-title">
        未落实联系人的住户<span v-if="focused">：{{ focused.name }}</span>
      </h2>
      <div class="page-actions">
        <el-button type="primary" :disabled="!selected.length" @click="assign(selected)">
          为选中的 {{ selected.length }} 户指定联系人
        </el-button>
        <el-button v-if="focused" @click="focus(null)">显示全部网格</el-button>
        <span class="muted" data-test="uncovered-total">共 {{ uncoveredTotal }} 户</span>
      </div>
      <el-table ref="table" :data="uncovered" row-key="id" @selection-change="selected = $event"
        empty-text="每户都已落实联系人" aria-label="未落实联系人的住户" class="uncovered-table">
        <el-table-column type="selection" width="44" />
        <el-table-column label="地址" min-width="150">
          <template #default="{ row }"><span class="address">{{ address(row) }}</span></template>
        </el-table-column>
        <el-table-column label="微网格" min-width="120">
          <template #default="{ row }">{{ row.grid ? row.grid.name : "" }}</template>
        </el-table-column>
        <el-table-column label="居民" width="64" align="right">
          <template #default="{ row }">{{ row.residents.length }}</template>
        </el-table-column>
        <el-table-column label="操作" width="110">
          <template #default="{ row }">
            <el-button link type="primary" @click="assign([row])">指定联系人</el-button>
          </template>
        </el-table-column>
      </el-table>
      <div class="pager" v-if="hasMore">
        <el-button @click="more">加载更多</el-button>
      </div>
      <contact-dialog v-model="dialog" :households="assigning" :posts="posts" :grids="grids" @assigned="assigned" />
    </section>`,
  setup() {
    const summary = ref(null);
    const nodes = ref([]);
    const grids = ref([]);
    const posts = ref([]);
    const uncovered = ref([]);
    const uncoveredTotal = ref(0);
    const hasMore = ref(false);
    const cursor = ref(null);
    const focused = ref(null);
    const selected = ref([]);
    const assigning = ref([]);
    const dialog = ref(false);
    const loading = ref(false);
    const error = ref("");

    function keepPage(page, append) {
      const rows = page.edges.map((edge) => edge.node);
      uncovered.value = append ? [...uncovered.value, ...rows] : rows;
      uncoveredTotal.value = page.totalCount;
      hasMore.value = page.pageInfo.hasNextPage;
      cursor.value = page.pageInfo.endCursor;
    }

    // Later pages, and one grid node's: the same list and order as uncoveredHouseholds.
    async function loadUncovered(append = false) {
      const grid = focused.value ? focused.value.id : null;
      const after = append ? cursor.value : null;
      const data = await gql(UNCOVERED_IN, { first: PAGE, after, grid });
      keepPage(data.households, append);
    }

    async function load() {
      loading.value = true;
      error.value = "";
      try {
        const data = await gql(COVERAGE, { first: PAGE, after: null });
        summary.value = data.coverage;
        nodes.value = data.coverage.grids;
        grids.value = data.grids;
        posts.value = data.posts;
        if (focused.value) await loadUncovered();
        else keepPage(data.coverage.uncoveredHouseholds, false);
      } catch (failure) {
        error.value = failure.message;
      } finally {
        loading.value = false;
      }
    }

    const tree = computed(() => {
      const counted = new Map(nodes.value.map((n) => [n.grid.id, n]));
      const rows = nodes.value.map((n) => ({
        ...n.grid,
        households: n.households,
        covered: n.covered,
        ratio: n.ratio,
      }));
      // Nodes the viewer sees part of come with counts; keep the tree's shape from them.
      const roots = gridTree(rows);
      return roots.filter((r) => counted.has(r.id));
    });

    async function focus(row) {
      focused.value = row ? { id: row.id, name: row.name } : null;
      selected.value = [];
      try {
        if (row) await loadUncovered();
        else await load();
      } catch (failure) {
        error.value = failure.message;
      }
    }

    function assign(households) {
      assigning.value = households;
      dialog.value = true;
    }

    async function assigned(count) {
      ElMessage.success(`已为 ${count} 户指定联系人`);
      selected.value = [];
      await load();
    }

    async function more() {
      try {
        await loadUncovered(true);
      } catch (failure) {
        error.value = failure.message;
      }
    }

    onMounted(load);

    return {
      summary,
      tree,
      grids,
      posts,
      uncovered,
      uncoveredTotal,
      hasMore,
      focused,
      selected,
      assigning,
      dialog,
      loading,
      error,
      percent,
      address,
      focus,
      assign,
      assigned,
      more,
    };
  },
};
