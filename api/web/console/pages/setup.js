// 开始设置: a new community's first day, in order: 社区 → 网格 → 工作人员与岗位 → 居民花名册.
// Each step by hand (the same mutations as everywhere: createGrid, renameGrid, deleteGrid,
// createStaffAccount, createGridPost) or from a spreadsheet (components/setup-import.js).
import { ERROR_FIELDS, downloadFile, gql, problem } from "../api.js";
import SetupImport from "../components/setup-import.js";
import { gridTree } from "../registry.js";
import { GRID_LEVELS, POST_ROLES } from "../words.js";

const { ref, reactive, computed, onMounted } = Vue;
const { ElMessage, ElMessageBox } = ElementPlus;

const DATA = `{ viewer { communityName } grids { id name level parentId }
  staffAccounts { id username displayName kind
    posts { id role gridId grid { id name parentId } } } }`;
const CREATE_GRID = `mutation($n: String!, $p: UUID) { r: createGrid(name: $n, parentId: $p) {
  __typename ${ERROR_FIELDS} } }`;
const RENAME_GRID = `mutation($id: UUID!, $n: String!) { r: renameGrid(id: $id, name: $n) {
  __typename ${ERROR_FIELDS} } }`;
const DELETE_GRID = `mutation($id: UUID!) { r: deleteGrid(id: $id) { __typename ${ERROR_FIELDS} } }`;
const CREATE_STAFF = `mutation($u: String!, $p: String!, $d: String!) {
  r: createStaffAccount(username: $u, password: $p, displayName: $d) {
  __typename ... on Account { id } ${ERROR_FIELDS} } }`;
const CREATE_POST = `mutation($a: UUID!, $g: UUID!, $r: PostRole!) {
  r: createGridPost(accountId: $a, gridId: $g, role: $r) { __typename ${ERROR_FIELDS} } }`;

const MICRO_ROLES = ["MICRO_GRID_MEMBER"];
const ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

function randomPassword() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
}

function csvCell(text) {
  const value = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export default {
  name: "SetupPage",
  components: { SetupImport },
  template: `
    <section class="setup">
      <el-steps :active="step" finish-status="success" align-center class="setup-steps">
        <el-step title="社区" />
        <el-step title="网格" />
        <el-step title="工作人员与岗位" />
        <el-step title="居民花名册" />
      </el-steps>
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />

      <div v-if="step === 0" data-test="step-community">
        <h2>第一步：社区</h2>
        <p data-test="community-name">社区：<strong>{{ communityName }}</strong>（创建管理员账号时已经建好）。
          议事规则（评价门槛、评价期、逾期上报天数）可以在社区设置里调整，以后随时可改。</p>
        <div class="page-actions">
          <el-button @click="$router.push('/settings')">打开社区设置</el-button>
          <el-button type="primary" @click="step = 1">下一步：网格</el-button>
        </div>
      </div>

      <div v-if="step === 1" data-test="step-grids">
        <h2>第二步：网格</h2>
        <p class="muted">网格下面是微网格（一栋楼或一个单元）。可以手工添加，也可以用表格一次导入。</p>
        <div class="setup-columns">
          <el-card shadow="never">
            <template #header><h3>网格树（{{ grids.length }} 个节点）</h3></template>
            <el-form inline @submit.prevent="addGrid(null)">
              <el-form-item label="新网格">
                <el-input v-model="newGrid" placeholder="如 第一网格" aria-label="新网格名称" />
              </el-form-item>
              <el-form-item><el-button type="primary" native-type="submit" :disabled="!newGrid.trim()">添加网格</el-button></el-form-item>
            </el-form>
            <el-tree v-if="tree.length" :data="tree" node-key="id" default-expand-all :expand-on-click-node="false"
              :props="{ label: 'name', children: 'children' }" data-test="grid-tree" aria-label="网格树">
              <template #default="{ data }">
                <span class="tree-node">
                  <span>{{ data.name }}</span>
                  <el-tag size="small" :type="data.level === 'GRID' ? 'primary' : 'info'" disable-transitions>{{ levels[data.level] }}</el-tag>
                  <span class="tree-actions">
                    <el-button v-if="data.level === 'GRID'" link type="primary" @click.stop="addMicro(data)">添加微网格</el-button>
                    <el-button link type="primary" @click.stop="rename(data)">改名</el-button>
                    <el-button link type="danger" @click.stop="remove(data)">删除</el-button>
                  </span>
                </span>
              </template>
            </el-tree>
            <el-empty v-else description="还没有网格" :image-size="60" />
          </el-card>
          <setup-import kind="grid" title="用表格导入网格" template-name="网格导入模板.xlsx" @imported="load" />
        </div>
        <div class="page-actions">
          <el-button @click="step = 0">上一步</el-button>
          <el-button type="primary" :disabled="!grids.length" @click="step = 2" data-test="to-staff">下一步：工作人员与岗位</el-button>
        </div>
      </div>

      <div v-if="step === 2" data-test="step-staff">
        <h2>第三步：工作人员与岗位</h2>
        <p class="muted">定岗定责：包联社区干部、网格长、副网格长、网格员在网格上，红色微网格员在微网格上。</p>
        <div class="page-actions">
          <el-button type="primary" @click="openStaff(null)">添加工作人员</el-button>
        </div>
        <el-table :data="staff" aria-label="工作人员与岗位" empty-text="还没有工作人员" data-test="staff-table">
          <el-table-column prop="displayName" label="姓名" min-width="100" />
          <el-table-column prop="username" label="用户名" min-width="100" />
          <el-table-column label="岗位" min-width="260">
            <template #default="{ row }">
              <el-tag v-for="post in row.posts" :key="post.id" class="post-tag" disable-transitions>
                {{ roles[post.role] }}：{{ gridPath(post.grid) }}
              </el-tag>
              <span v-if="!row.posts.length" class="muted">{{ row.kind === "ADMIN" ? "社区书记（管理员）" : "无岗位（可作责任联系人）" }}</span>
            </template>
          </el-table-column>
          <el-table-column label="操作" width="110">
            <template #default="{ row }">
              <el-button link type="primary" @click="openStaff(row)">添加岗位</el-button>
            </template>
          </el-table-column>
        </el-table>
        <setup-import kind="staff" title="用表格导入工作人员与岗位" template-name="工作人员导入模板.xlsx" @imported="staffImported" />
        <el-card v-if="accounts.length" shadow="never" class="passwords" data-test="passwords">
          <template #header><h3>新账号的初始密码（只显示这一次，请下载或打印后交给本人）</h3></template>
          <el-table :data="accounts" size="small" aria-label="新账号的初始密码">
            <el-table-column prop="username" label="用户名" />
            <el-table-column prop="displayName" label="姓名" />
            <el-table-column prop="initialPassword" label="初始密码" />
          </el-table>
          <div class="page-actions">
            <el-button type="primary" @click="downloadPasswords" data-test="passwords-download">下载（CSV）</el-button>
            <el-button @click="print">打印</el-button>
          </div>
        </el-card>
        <div class="page-actions">
          <el-button @click="step = 1">上一步</el-button>
          <el-button type="primary" @click="step = 3">下一步：居民花名册</el-button>
        </div>
      </div>

      <div v-if="step === 3" data-test="step-register">
        <h2>第四步：居民花名册</h2>
        <p>网格和岗位都有了，就可以导入居民花名册：先预览，每行的问题会写明行号和原因。</p>
        <div class="page-actions">
          <el-button @click="step = 2">上一步</el-button>
          <el-button @click="registerTemplate" data-test="register-template">下载花名册模板</el-button>
          <el-button type="primary" @click="$router.push('/import')">导入居民花名册</el-button>
        </div>
      </div>

      <el-dialog v-model="dialog.open" :title="dialog.account ? '为 ' + dialog.account.displayName + ' 添加岗位' : '添加工作人员'" width="min(520px, 94vw)">
        <el-form label-width="88px" @submit.prevent="saveStaff">
          <template v-if="!dialog.account">
            <el-form-item label="姓名" required><el-input v-model="dialog.displayName" /></el-form-item>
            <el-form-item label="用户名" required><el-input v-model="dialog.username" placeholder="字母、数字、. - _" /></el-form-item>
            <el-form-item label="初始密码" required>
              <el-input v-model="dialog.password">
                <template #append><el-button @click="dialog.password = newPassword()">生成</el-button></template>
              </el-input>
            </el-form-item>
          </template>
          <el-form-item label="岗位">
            <el-select v-model="dialog.role" placeholder="选择岗位" clearable aria-label="岗位">
              <el-option v-for="(label, value) in roles" :key="value" :label="label" :value="value" />
            </el-select>
          </el-form-item>
          <el-form-item label="网格">
            <el-select v-model="dialog.gridId" placeholder="选择网格或微网格" clearable filterable aria-label="网格">
              <el-option v-for="grid in gridChoices" :key="grid.id" :label="grid.label" :value="grid.id" />
            </el-select>
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="dialog.open = false">取消</el-button>
          <el-button type="primary" :loading="dialog.busy" @click="saveStaff">保存</el-button>
        </template>
      </el-dialog>
    </section>`,
  setup() {
    const step = ref(0);
    const error = ref("");
    const grids = ref([]);
    const accounts = ref([]);
    const newGrid = ref("");
    const dialog = reactive({ open: false, account: null, displayName: "", username: "", password: "",
      role: "", gridId: "", busy: false });

    const tree = computed(() => gridTree(grids.value));
    const byId = computed(() => new Map(grids.value.map((g) => [g.id, g])));
    const gridPath = (grid) => {
      if (!grid) return "";
      const parent = grid.parentId && byId.value.get(grid.parentId);
      return parent ? `${parent.name}/${grid.name}` : grid.name;
    };
    const gridChoices = computed(() => {
      const micro = dialog.role && MICRO_ROLES.includes(dialog.role);
      return grids.value
        .filter((g) => !dialog.role || (micro ? g.level === "MICRO_GRID" : g.level === "GRID"))
        .map((g) => ({ id: g.id, label: gridPath(g) }));
    });
    const staffAccounts = ref([]);
    const communityName = ref("");
    const staff = computed(() => staffAccounts.value);
    const posts = computed(() => staffAccounts.value.flatMap((a) => a.posts));

    async function load() {
      try {
        const data = await gql(DATA);
        grids.value = data.grids;
        staffAccounts.value = data.staffAccounts;
        communityName.value = data.viewer.communityName;
      } catch (failure) {
        error.value = failure.message;
      }
    }

    async function run(document, variables, done) {
      error.value = "";
      try {
        const data = await gql(document, variables);
        const message = problem(data.r);
        if (message) {
          ElMessageBox.alert(message, "没有完成", { type: "error", confirmButtonText: "知道了" });
          return false;
        }
        if (done) ElMessage.success(done);
        await load();
        return true;
      } catch (failure) {
        error.value = failure.message;
        return false;
      }
    }

    async function ask(title, value = "") {
      try {
        const { value: text } = await ElMessageBox.prompt("名称", title, {
          inputValue: value, confirmButtonText: "确定", cancelButtonText: "取消",
          inputValidator: (text) => Boolean(text && text.trim()) || "请填写名称",
        });
        return text.trim();
      } catch {
        return null;
      }
    }

    async function addGrid() {
      if (await run(CREATE_GRID, { n: newGrid.value.trim(), p: null }, "已添加网格")) newGrid.value = "";
    }
    async function addMicro(grid) {
      const name = await ask(`在 ${grid.name} 下添加微网格`);
      if (name) await run(CREATE_GRID, { n: name, p: grid.id }, "已添加微网格");
    }
    async function rename(grid) {
      const name = await ask(`给 ${grid.name} 改名`, grid.name);
      if (name && name !== grid.name) await run(RENAME_GRID, { id: grid.id, n: name }, "已改名");
    }
    async function remove(grid) {
      try {
        await ElMessageBox.confirm(`删除 ${grid.name}？有下级、住户或岗位的节点不能删除。`, "请确认", {
          type: "warning", confirmButtonText: "删除", cancelButtonText: "取消",
        });
      } catch {
        return;
      }
      await run(DELETE_GRID, { id: grid.id }, "已删除");
    }

    function openStaff(account) {
      Object.assign(dialog, { open: true, account, displayName: "", username: "",
        password: account ? "" : randomPassword(), role: "", gridId: "", busy: false });
    }

    async function saveStaff() {
      if (Boolean(dialog.role) !== Boolean(dialog.gridId) || (dialog.account && !dialog.role)) {
        ElMessage.error("请同时选择岗位和网格");
        return;
      }
      dialog.busy = true;
      try {
        let accountId = dialog.account && dialog.account.id;
        if (!accountId) {
          const data = await gql(CREATE_STAFF, { u: dialog.username, p: dialog.password, d: dialog.displayName });
          const message = problem(data.r, "Account");
          if (message) {
            ElMessage.error(message);
            return;
          }
          accountId = data.r.id;
          accounts.value = [...accounts.value, { username: dialog.username.trim().toLowerCase(),
            displayName: dialog.displayName, initialPassword: dialog.password }];
        }
        if (dialog.role) {
          const made = await gql(CREATE_POST, { a: accountId, g: dialog.gridId, r: dialog.role });
          const message = problem(made.r, "GridPost");
          if (message) {
            ElMessage.error(message);
            await load();
            return;
          }
        }
        dialog.open = false;
        ElMessage.success("已保存");
        await load();
      } catch (failure) {
        ElMessage.error(failure.message);
      } finally {
        dialog.busy = false;
      }
    }

    async function staffImported(result) {
      accounts.value = [...accounts.value, ...result.accounts];
      await load();
    }

    function downloadPasswords() {
      const lines = [["用户名", "姓名", "初始密码"], ...accounts.value.map((a) =>
        [a.username, a.displayName, a.initialPassword])];
      const text = "\ufeff" + lines.map((line) => line.map(csvCell).join(",")).join("\r\n") + "\r\n";
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
      link.download = "新账号初始密码.csv";
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    }

    async function registerTemplate() {
      try {
        await downloadFile("/console/templates/register.xlsx", "居民花名册模板.xlsx");
      } catch (failure) {
        error.value = failure.message;
      }
    }

    onMounted(async () => {
      await load();
      if (grids.value.length) step.value = posts.value.length ? 2 : 1;
    });

    return { step, error, grids, tree, staff, accounts, communityName, newGrid, dialog, gridChoices, gridPath,
      load, addGrid, addMicro, rename, remove, openStaff, saveStaff, staffImported,
      downloadPasswords, registerTemplate, print: () => window.print(), newPassword: randomPassword,
      levels: GRID_LEVELS, roles: POST_ROLES };
  },
};
