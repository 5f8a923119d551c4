// 同步冲突: the same field changed on the server and on a phone while it was offline. For
// each, the value both started from (原值), the server's and the phone's side by side, and one
// click to settle it: keep the server's, take the phone's, or enter another value (written as
// a normal change, so it syncs out to every phone). A settled conflict leaves the open list.
import { gql, problem } from "../api.js";
import { ERROR_SELECTION, tagLabel } from "../registry.js";
import { dateTime, deviceName } from "../words.js";

const { ref, reactive, onMounted } = Vue;
const { ElMessage } = ElementPlus;

const CONFLICTS = `query($s: ConflictStatus) { syncConflicts(status: $s) {
  id collection field policy baseValue serverValue deviceValue subject accountName deviceName
  gridName status resolution resolvedValue createdAt resolvedAt } }`;

const RESOLVE = `mutation($id: UUID!, $r: ConflictResolution!, $v: JSON) {
  resolveSyncConflict(conflictId: $id, resolution: $r, value: $v) {
    __typename ... on SyncConflict { id status } ${ERROR_SELECTION} } }`;

const COLLECTIONS = {
  household: "住户",
  resident: "居民",
  visitNote: "民情日记",
  proposal: "议题",
  ballot: "现场投票",
  attendance: "会议签到",
};

const FIELDS = {
  gridId: "所属网格",
  building: "楼栋",
  unit: "单元",
  room: "房号",
  householdId: "所属住户",
  name: "姓名",
  phone: "联系电话",
  tags: "标签",
  partyMember: "党员",
  category: "类别",
  text: "内容",
  followUp: "需要跟进",
  visitedAt: "走访时间",
  title: "标题",
  description: "说明",
  source: "来源",
  residentId: "居民",
  choice: "选项",
  deleted: "删除",
};

const RESOLUTIONS = {
  keep_server: "保留服务器的值",
  take_device: "采用设备的值",
  enter_value: "填写了新值",
  auto_set_union: "自动合并（两边的增减都保留）",
  auto_keep_both_text: "自动合并（两段文字都保留）",
  auto_device_wins: "自动采用设备的值",
};

function shown(field, value) {
  if (value === null || value === undefined || value === "") return "（空）";
  if (field === "deleted") return value ? "已删除" : "未删除";
  if (typeof value === "boolean") return value ? "是" : "否";
  if (Array.isArray(value)) {
    if (!value.length) return "（空）";
    return value.map((v) => (field === "tags" ? tagLabel(String(v)) : String(v))).join("、");
  }
  if (field.endsWith("At") && typeof value === "string") return dateTime(value);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

// A value a person can type: text fields, not ids, lists, flags or deletions.
function typeable(conflict) {
  const f = conflict.field;
  if (f === "deleted" || f.endsWith("Id") || f.endsWith("At")) return false;
  return [conflict.serverValue, conflict.deviceValue].every((v) => v === null || typeof v === "string");
}

export default {
  name: "ConflictsPage",
  template: `
    <section class="conflicts">
      <p class="muted ops-intro">网格员的手机离线时修改了某项信息，而服务器上同一项也被改过，系统不会自动替谁做决定：两边的值都保留在这里，请核实后选择一个。选定的值会同步到所有手机。</p>
      <div class="page-actions">
        <el-radio-group v-model="status" aria-label="冲突状态" @change="load">
          <el-radio-button value="OPEN">待处理</el-radio-button>
          <el-radio-button value="RESOLVED">已处理</el-radio-button>
        </el-radio-group>
        <span class="muted" data-test="total">共 {{ rows.length }} 条</span>
      </div>
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
      <div v-loading="loading">
        <el-empty v-if="!loading && !rows.length" :description="status === 'OPEN' ? '没有待处理的同步冲突' : '还没有处理过的同步冲突'" />
        <el-card v-for="c in rows" :key="c.id" shadow="never" class="conflict" :data-conflict="c.id">
          <template #header>
            <div class="conflict-head">
              <h2>{{ collectionName(c.collection) }}：{{ c.subject || '（已不在登记中）' }}</h2>
              <span class="muted"><template v-if="c.gridName">网格：{{ c.gridName }} · </template>提交人：{{ c.accountName }}<template v-if="c.deviceName">（{{ deviceName(c.deviceName) }}）</template> · {{ when(c.createdAt) }}</span>
            </div>
          </template>
          <el-table :data="[c]" :aria-label="'冲突：' + fieldName(c.field)" class="conflict-values">
            <el-table-column label="字段" min-width="90"><template #default>{{ fieldName(c.field) }}</template></el-table-column>
            <el-table-column label="原值" min-width="120"><template #default>{{ show(c.field, c.baseValue) }}</template></el-table-column>
            <el-table-column label="服务器" min-width="120"><template #default><strong>{{ show(c.field, c.serverValue) }}</strong></template></el-table-column>
            <el-table-column label="设备" min-width="120"><template #default><strong>{{ show(c.field, c.deviceValue) }}</strong></template></el-table-column>
          </el-table>
          <div v-if="c.status === 'OPEN'" class="conflict-actions">
            <el-button type="primary" :loading="busy === c.id" @click="resolve(c, 'KEEP_SERVER')">保留服务器的值</el-button>
            <el-button v-if="c.field !== 'deleted'" :loading="busy === c.id" @click="resolve(c, 'TAKE_DEVICE')">采用设备的值</el-button>
            <template v-if="typeable(c)">
              <el-input v-model="entered[c.id]" :aria-label="'填写' + fieldName(c.field) + '的新值'" placeholder="或填写合并后的值"
                maxlength="500" style="width: 220px" />
              <el-button :disabled="!(entered[c.id] || '').trim()" :loading="busy === c.id" @click="resolve(c, 'ENTER_VALUE')">使用填写的值</el-button>
            </template>
          </div>
          <p v-else class="muted">{{ resolutionName(c.resolution) }}：{{ show(c.field, c.resolvedValue) }}，{{ when(c.resolvedAt) }}</p>
        </el-card>
      </div>
    </section>`,
  setup() {
    const status = ref("OPEN");
    const rows = ref([]);
    const loading = ref(false);
    const error = ref("");
    const busy = ref(null);
    const entered = reactive({});

    async function load() {
      loading.value = true;
      error.value = "";
      try {
        rows.value = (await gql(CONFLICTS, { s: status.value })).syncConflicts;
      } catch (failure) {
        error.value = failure.message;
      } finally {
        loading.value = false;
      }
    }

    async function resolve(conflict, resolution) {
      busy.value = conflict.id;
      try {
        const variables = { id: conflict.id, r: resolution };
        if (resolution === "ENTER_VALUE") variables.v = entered[conflict.id].trim();
        const result = (await gql(RESOLVE, variables)).resolveSyncConflict;
        const message = problem(result, "SyncConflict");
        if (message) {
          ElMessage.error(message);
        } else {
          ElMessage.success("已处理，结果会同步到各台手机");
        }
        await load();
      } catch (failure) {
        ElMessage.error(failure.message);
      } finally {
        busy.value = null;
      }
    }

    onMounted(load);
    return {
      status,
      rows,
      loading,
      error,
      busy,
      entered,
      load,
      resolve,
      typeable,
      show: shown,
      when: dateTime,
      deviceName,
      fieldName: (f) => FIELDS[f] || f,
      collectionName: (c) => COLLECTIONS[c] || c,
      resolutionName: (r) => RESOLUTIONS[r] || r || "已处理",
    };
  },
};
