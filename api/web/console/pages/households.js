// 住户与居民: the households the viewer covers, searched by address or a resident's name and
// filtered by grid node, tag and contact; a row opens its residents, with the masked phone
// and ID number and 查看 (asks why, logged). Staff add and edit households and residents.
import { gql, problem, session } from "../api.js";
import HouseholdForm from "../components/household-form.js";
import ResidentForm from "../components/resident-form.js";
import { ProtectedValue, RevealDialog, hideAll } from "../components/reveal.js";
import {
  ERROR_SELECTION,
  TAGS,
  loadTags,
  address,
  editableMicroGrids,
  gridTree,
  loadGrids,
  microGridGroups,
  tagLabel,
} from "../registry.js";

const { ref, reactive, computed, onMounted, onBeforeUnmount } = Vue;
const { ElMessage, ElMessageBox } = ElementPlus;

const PROTECTED = "{ value hiddenReason }";
const HOUSEHOLDS = `query($first: Int, $after: String, $filter: HouseholdFilter) {
  households(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id building unit room ${PROTECTED} gridId
      grid { id name parent { name } }
      contact { id role account { displayName } }
      residents { id name phone ${PROTECTED} idNumber ${PROTECTED} birthYear tags partyMember } } } } }`;

const DELETE_HOUSEHOLD = `mutation($id: UUID!) { deleteHousehold(id: $id) { __typename ${ERROR_SELECTION} } }`;
const DELETE_RESIDENT = `mutation($id: UUID!) { deleteResident(id: $id) { __typename ${ERROR_SELECTION} } }`;

const COVERAGE_CHOICES = [
  { value: "all", label: "全部住户" },
  { value: "yes", label: "已落实联系人" },
  { value: "no", label: "未落实联系人" },
];

function householdTags(household) {
  const seen = new Set();
  for (const resident of household.residents) for (const tag of resident.tags || []) seen.add(tag);
  return TAGS.filter((tag) => seen.has(tag.value));
}

export default {
  name: "HouseholdsPage",
  components: { HouseholdForm, ResidentForm, ProtectedValue, RevealDialog },
  template: `
    <section class="households">
      <el-form class="filters" :inline="true" @submit.prevent="search" aria-label="筛选住户">
        <el-form-item label="搜索" for="household-search">
          <el-input id="household-search" v-model="filters.search" clearable placeholder="地址或居民姓名"
            maxlength="50" @clear="search" style="width: 200px" />
        </el-form-item>
        <el-form-item label="网格" for="household-grid-filter">
          <el-tree-select id="household-grid-filter" v-model="filters.gridId" :data="tree" node-key="id"
            :props="{ label: 'name', children: 'children' }" check-strictly clearable default-expand-all
            placeholder="全部网格" aria-label="网格" @change="search" style="width: 180px" />
        </el-form-item>
        <el-form-item label="标签" for="household-tag-filter">
          <el-select id="household-tag-filter" v-model="filters.tag" clearable placeholder="全部标签"
            aria-label="标签" @change="search" style="width: 120px">
            <el-option v-for="tag in tags" :key="tag.value" :label="tag.label" :value="tag.value" />
          </el-select>
        </el-form-item>
        <el-form-item label="联系人" for="household-contact-filter">
          <el-select id="household-contact-filter" v-model="filters.contact" aria-label="联系人"
            @change="search" style="width: 140px">
            <el-option v-for="c in coverageChoices" :key="c.value" :label="c.label" :value="c.value" />
          </el-select>
        </el-form-item>
        <el-form-item>
          <el-button type="primary" native-type="submit">查询</el-button>
          <el-button v-if="canAdd" @click="editHousehold(null)">新增住户</el-button>
        </el-form-item>
      </el-form>
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
      <el-table :data="rows" v-loading="loading" row-key="id" :expand-row-keys="expanded" @expand-change="onExpand"
        empty-text="没有符合条件的住户" class="household-table" aria-label="住户列表">
        <el-table-column type="expand" width="40">
          <template #default="{ row }">
            <div class="residents" :data-test="'residents-' + row.id">
              <el-table :data="row.residents" size="small" empty-text="这一户还没有登记居民" :aria-label="address(row) + '的居民'">
                <el-table-column prop="name" label="姓名" min-width="80" />
                <el-table-column label="手机号" min-width="170">
                  <template #default="{ row: r }"><protected-value :resident="r" field="phone" /></template>
                </el-table-column>
                <el-table-column label="身份证号" min-width="230">
                  <template #default="{ row: r }"><protected-value :resident="r" field="idNumber" /></template>
                </el-table-column>
                <el-table-column label="出生年份" width="90">
                  <template #default="{ row: r }">{{ r.birthYear || "—" }}</template>
                </el-table-column>
                <el-table-column label="标签" min-width="110">
                  <template #default="{ row: r }">
                    <el-tag v-for="tag in r.tags || []" :key="tag" size="small" type="warning" class="tag">{{ tagLabel(tag) }}</el-tag>
                  </template>
                </el-table-column>
                <el-table-column label="党员" width="60">
                  <template #default="{ row: r }">{{ r.partyMember ? "是" : r.partyMember === false ? "否" : "—" }}</template>
                </el-table-column>
                <el-table-column v-if="canEdit" label="操作" width="110" fixed="right">
                  <template #default="{ row: r }">
                    <el-button link type="primary" @click="editResident(row, r)">编辑</el-button>
                    <el-button link type="danger" @click="removeResident(r)">删除</el-button>
                  </template>
                </el-table-column>
              </el-table>
              <el-button v-if="canEdit" size="small" class="add-resident" @click="editResident(row, null)">添加居民</el-button>
            </div>
          </template>
        </el-table-column>
        <el-table-column label="地址" min-width="150">
          <template #default="{ row }"><span class="address">{{ address(row) }}</span></template>
        </el-table-column>
        <el-table-column label="微网格" min-width="130">
          <template #default="{ row }">
            <span>{{ row.grid ? row.grid.name : "" }}</span>
            <span class="muted" v-if="row.grid && row.grid.parent">（{{ row.grid.parent.name }}）</span>
          </template>
        </el-table-column>
        <el-table-column label="联系人" min-width="110">
          <template #default="{ row }">
            <span v-if="row.contact && row.contact.account">{{ row.contact.account.displayName }}</span>
            <el-tag v-else type="danger" size="small">未落实</el-tag>
          </template>
        </el-table-column>
        <el-table-column label="居民" width="64" align="right">
          <template #default="{ row }">{{ row.residents.length }}</template>
        </el-table-column>
        <el-table-column label="标签" min-width="120">
          <template #default="{ row }">
            <el-tag v-for="tag in householdTags(row)" :key="tag.value" size="small" type="warning" class="tag">{{ tag.label }}</el-tag>
          </template>
        </el-table-column>
        <el-table-column label="操作" width="150" fixed="right">
          <template #default="{ row }">
            <el-button link type="primary" @click="toggle(row)">{{ expanded.includes(row.id) ? "收起" : "居民" }}</el-button>
            <template v-if="canEdit">
              <el-button link type="primary" @click="editHousehold(row)">编辑</el-button>
              <el-button link type="danger" @click="removeHousehold(row)">删除</el-button>
            </template>
          </template>
        </el-table-column>
      </el-table>
      <div class="pager">
        <span class="muted" data-test="total">共 {{ total }} 户</span>
        <el-select v-model="pageSize" @change="search" aria-label="每页户数" style="width: 110px">
          <el-option v-for="size in [10, 20, 50]" :key="size" :label="size + ' 户/页'" :value="size" />
        </el-select>
        <el-button :disabled="cursors.length <= 1" @click="previous">上一页</el-button>
        <span>第 {{ cursors.length }} / {{ pages }} 页</span>
        <el-button :disabled="!hasNext" @click="next">下一页</el-button>
      </div>
      <household-form v-model="householdDialog" :household="editingHousehold" :groups="groups" @saved="saved('住户已保存')" />
      <resident-form v-model="residentDialog" :household="residentHousehold" :resident="editingResident" @saved="saved('居民已保存')" />
      <reveal-dialog />
    </section>`,
  setup() {
    const filters = reactive({ search: "", gridId: "", tag: "", contact: "all" });
    const rows = ref([]);
    const total = ref(0);
    const loading = ref(false);
    const error = ref("");
    const pageSize = ref(20);
    const cursors = ref([null]); // the `after` of each page so far: the last one is this page's
    const hasNext = ref(false);
    const endCursor = ref(null);
    const expanded = ref([]);
    const grids = ref([]);
    const householdDialog = ref(false);
    const editingHousehold = ref(null);
    const residentDialog = ref(false);
    const residentHousehold = ref(null);
    const editingResident = ref(null);

    const role = computed(() => session.state.role);
    const canEdit = computed(() => role.value === "admin" || role.value === "staff");
    const allowed = computed(() => editableMicroGrids(grids.value, session.state.viewer, role.value));
    const groups = computed(() => microGridGroups(grids.value, allowed.value));

    function filter() {
      const where = {};
      if (filters.search.trim()) where.search = filters.search.trim();
      if (filters.gridId) where.gridId = filters.gridId;
      if (filters.tag) where.tag = filters.tag;
      if (filters.contact !== "all") where.hasContact = filters.contact === "yes";
      return where;
    }

    async function load() {
      loading.value = true;
      error.value = "";
      try {
        const after = cursors.value[cursors.value.length - 1];
        const data = await gql(HOUSEHOLDS, { first: pageSize.value, after, filter: filter() });
        const page = data.households;
        rows.value = page.edges.map((edge) => edge.node);
        total.value = page.totalCount;
        hasNext.value = page.pageInfo.hasNextPage;
        endCursor.value = page.pageInfo.endCursor;
        const ids = new Set(rows.value.map((row) => row.id));
        expanded.value = expanded.value.filter((id) => ids.has(id));
      } catch (failure) {
        error.value = failure.message;
        rows.value = [];
      } finally {
        loading.value = false;
      }
    }

    function search() {
      cursors.value = [null];
      expanded.value = [];
      return load();
    }

    function next() {
      cursors.value = [...cursors.value, endCursor.value];
      return load();
    }

    function previous() {
      cursors.value = cursors.value.slice(0, -1);
      return load();
    }

    function toggle(row) {
      expanded.value = expanded.value.includes(row.id)
        ? expanded.value.filter((id) => id !== row.id)
        : [...expanded.value, row.id];
    }

    function onExpand(row, open) {
      const on = Array.isArray(open) ? open.some((r) => r.id === row.id) : Boolean(open);
      if (on !== expanded.value.includes(row.id)) toggle(row);
    }

    function editHousehold(row) {
      editingHousehold.value = row;
      householdDialog.value = true;
    }

    function editResident(household, resident) {
      residentHousehold.value = household;
      editingResident.value = resident;
      residentDialog.value = true;
    }

    async function saved(message) {
      ElMessage.success(message);
      await load();
    }

    async function confirmAndRun(question, mutation, id, done) {
      try {
        await ElMessageBox.confirm(question, "请确认", {
          type: "warning",
          confirmButtonText: "删除",
          cancelButtonText: "取消",
        });
      } catch {
        return;
      }
      try {
        const data = await gql(mutation, { id });
        const result = data.deleteHousehold || data.deleteResident;
        const message = problem(result, "Deleted");
        if (message) {
          ElMessageBox.alert(message, "没有删除", { type: "error", confirmButtonText: "知道了" });
          return;
        }
        ElMessage.success(done);
        await load();
      } catch (failure) {
        ElMessageBox.alert(failure.message, "没有删除", { type: "error", confirmButtonText: "知道了" });
      }
    }

    const removeHousehold = (row) =>
      confirmAndRun(`删除住户“${address(row)}”？只能删除已没有居民的住户。`, DELETE_HOUSEHOLD, row.id, "住户已删除");
    const removeResident = (resident) =>
      confirmAndRun(`删除居民“${resident.name}”？`, DELETE_RESIDENT, resident.id, "居民已删除");

    onMounted(async () => {
      try {
        [grids.value] = await Promise.all([loadGrids(), loadTags()]);
      } catch (failure) {
        error.value = failure.message;
      }
      await load();
    });
    onBeforeUnmount(hideAll);

    return {
      filters,
      rows,
      total,
      loading,
      error,
      pageSize,
      cursors,
      hasNext,
      expanded,
      tree: computed(() => gridTree(grids.value)),
      groups,
      tags: TAGS,
      coverageChoices: COVERAGE_CHOICES,
      canEdit,
      canAdd: computed(() => canEdit.value && allowed.value.length > 0),
      pages: computed(() => Math.max(1, Math.ceil(total.value / pageSize.value))),
      householdDialog,
      editingHousehold,
      residentDialog,
      residentHousehold,
      editingResident,
      address,
      tagLabel,
      householdTags,
      search,
      next,
      previous,
      toggle,
      onExpand,
      editHousehold,
      editResident,
      saved,
      removeHousehold,
      removeResident,
    };
  },
};
