// 登录码: printable slips of fresh login codes for a grid node's residents (optionally one
// building), and reissuing one resident's code. A new code ends the old one: the page says so
// before and after, since a slip already handed over stops working.
import { gql, openPrintable, problem, session } from "../api.js";
import { ERROR_SELECTION, address, gridTree, loadGrids } from "../registry.js";

const { ref, computed, onMounted } = Vue;
const { ElMessage, ElMessageBox } = ElementPlus;

const SEARCH = `query($f: ResidentFilter) { residents(first: 20, filter: $f) {
  edges { node { id name household { id building unit room { value } grid { name } } } } } }`;
const ISSUE = `mutation($r: UUID!) { issueLoginCode(residentId: $r) { __typename
  ... on LoginCode { code expiresAt replacedEarlierCode } ${ERROR_SELECTION} } }`;

// The nodes the viewer may print for: every node for the admin, else the nodes of their
// posts and what lies below them (the server checks it again).
function printable(grids, viewer, role) {
  if (role === "admin") return grids;
  const held = new Set((viewer && viewer.posts ? viewer.posts : []).map((p) => p.gridId));
  return grids.filter((g) => held.has(g.id) || held.has(g.parentId));
}

export default {
  name: "CodesPage",
  template: `
    <section class="codes">
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
      <h2>打印登录码条</h2>
      <p class="muted">为所选网格节点（可只选一栋楼）的每位居民发放新的登录码，按楼栋、单元排好，
        A4 纸每页多张，沿虚线剪开后当面交给居民。居民扫码即可登录。</p>
      <el-form class="slip-form" :inline="true" @submit.prevent aria-label="打印登录码条">
        <el-form-item label="网格节点" for="slip-grid">
          <el-tree-select id="slip-grid" v-model="gridId" :data="tree" node-key="id"
            :props="{ label: 'name', children: 'children' }" check-strictly default-expand-all
            placeholder="请选择网格或微网格" aria-label="网格节点" style="width: 220px" />
        </el-form-item>
        <el-form-item label="楼栋" for="slip-building">
          <el-input id="slip-building" v-model="building" clearable maxlength="20"
            placeholder="可不填，如 1号楼" style="width: 160px" />
        </el-form-item>
        <el-form-item>
          <el-button type="primary" :disabled="!gridId" :loading="printing" @click="print">
            打印登录码
          </el-button>
        </el-form-item>
      </el-form>
      <p v-if="printedAt" class="muted" data-test="printed">{{ printedAt }}</p>

      <h2>重新发放单个居民的登录码</h2>
      <el-form class="reissue-form" :inline="true" @submit.prevent="search" aria-label="查找居民">
        <el-form-item label="居民" for="code-search">
          <el-input id="code-search" v-model="query" clearable maxlength="50"
            placeholder="姓名或地址" style="width: 200px" />
        </el-form-item>
        <el-form-item>
          <el-button native-type="submit" :loading="searching">查找</el-button>
        </el-form-item>
      </el-form>
      <el-table v-if="searched" :data="found" row-key="id" aria-label="查找到的居民"
        empty-text="没有找到居民" class="code-residents">
        <el-table-column prop="name" label="姓名" min-width="100" />
        <el-table-column label="地址" min-width="150">
          <template #default="{ row }">{{ row.household ? address(row.household) : "" }}</template>
        </el-table-column>
        <el-table-column label="网格" min-width="120">
          <template #default="{ row }">{{ row.household && row.household.grid ? row.household.grid.name : "" }}</template>
        </el-table-column>
        <el-table-column label="操作" width="110">
          <template #default="{ row }">
            <el-button link type="primary" @click="reissue(row)">重新发放</el-button>
          </template>
        </el-table-column>
      </el-table>

      <el-dialog v-model="shown" title="新的登录码" width="420px" @closed="issued = null">
        <div v-if="issued" class="issued-code">
          <p>{{ issued.name }}（{{ issued.address }}）的登录码，只显示这一次：</p>
          <p class="code-value" data-test="issued-code">{{ issued.code }}</p>
          <p class="muted">有效期至 {{ issued.expires }}，只能使用一次。</p>
          <el-alert v-if="issued.replaced" type="warning" :closable="false" show-icon
            title="之前的登录码已失效" data-test="replaced" />
          <el-alert v-else type="info" :closable="false" show-icon
            title="这位居民之前没有未使用的登录码。" />
        </div>
        <template #footer>
          <el-button type="primary" @click="shown = false">我已记下</el-button>
        </template>
      </el-dialog>
    </section>`,
  setup() {
    const grids = ref([]);
    const gridId = ref("");
    const building = ref("");
    const printing = ref(false);
    const printedAt = ref("");
    const query = ref("");
    const found = ref([]);
    const searched = ref(false);
    const searching = ref(false);
    const issued = ref(null);
    const shown = ref(false);
    const error = ref("");

    const tree = computed(() => gridTree(printable(grids.value, session.viewer, session.role)));

    onMounted(async () => {
      try {
        grids.value = await loadGrids();
      } catch (failure) {
        error.value = failure.message;
      }
    });

    async function print() {
      const node = grids.value.find((g) => g.id === gridId.value);
      const where = `${node ? node.name : ""}${building.value.trim() ? ` ${building.value.trim()}` : ""}`;
      try {
        await ElMessageBox.confirm(
          `将为「${where}」的每位居民发放新的登录码，他们之前的登录码（包括已经发出的码条）将失效。继续吗？`,
          "打印登录码",
          { confirmButtonText: "发放并打印", cancelButtonText: "取消", type: "warning" },
        );
      } catch {
        return;
      }
      printing.value = true;
      error.value = "";
      try {
        const body = { gridId: gridId.value };
        if (building.value.trim()) body.building = building.value.trim();
        await openPrintable("/console/slips", {
          body: JSON.stringify(body),
          headers: { "Content-Type": "application/json" },
        });
        printedAt.value = `已在新标签页打开「${where}」的登录码条（${new Date().toLocaleString("zh-CN")}），请在那里打印。`;
      } catch (failure) {
        error.value = failure.message;
      } finally {
        printing.value = false;
      }
    }

    async function search() {
      searching.value = true;
      error.value = "";
      try {
        const text = query.value.trim();
        const data = await gql(SEARCH, { f: text ? { search: text } : {} });
        found.value = data.residents.edges.map((edge) => edge.node);
        searched.value = true;
      } catch (failure) {
        error.value = failure.message;
      } finally {
        searching.value = false;
      }
    }

    async function reissue(resident) {
      try {
        await ElMessageBox.confirm(
          `为 ${resident.name} 发放新的登录码？之前的登录码将失效。`,
          "重新发放",
          { confirmButtonText: "发放", cancelButtonText: "取消", type: "warning" },
        );
      } catch {
        return;
      }
      try {
        const data = await gql(ISSUE, { r: resident.id });
        const result = data.issueLoginCode;
        const refused = problem(result, "LoginCode");
        if (refused) {
          ElMessage.error(refused);
          return;
        }
        issued.value = {
          name: resident.name,
          address: resident.household ? address(resident.household) : "",
          code: result.code,
          expires: new Date(result.expiresAt).toLocaleString("zh-CN"),
          replaced: result.replacedEarlierCode,
        };
        shown.value = true;
      } catch (failure) {
        error.value = failure.message;
      }
    }

    return {
      tree,
      gridId,
      building,
      printing,
      printedAt,
      print,
      query,
      found,
      searched,
      searching,
      search,
      reissue,
      issued,
      shown,
      error,
      address,
    };
  },
};
