// 设备: every phone and browser signed in (the admin sees the community's, staff their own),
// when each was last used and last synced, and 吊销 for a lost or handed-over phone: it is
// signed out at once and can neither sync nor refresh its login again.
import { gql, problem, session } from "../api.js";
import { ERROR_SELECTION } from "../registry.js";
import { dateTime, deviceName } from "../words.js";

const { ref, computed, onMounted } = Vue;
const { ElMessage, ElMessageBox } = ElementPlus;
const { useRouter } = VueRouter;

const DEVICES = `query($r: Boolean!) { devices(includeRevoked: $r) {
  id name accountId accountName createdAt lastSeenAt lastSyncAt revokedAt current } }`;

const REVOKE = `mutation($d: UUID!) { revokeDevice(deviceId: $d) {
  __typename ... on DeviceRevoked { deviceId revokedAt } ${ERROR_SELECTION} } }`;

function question(device) {
  const lines = [
    `吊销「${device.accountName}」的设备「${deviceName(device.name)}」？`,
    "吊销后它立即退出登录：不能再同步数据、不能再刷新登录，正在进行的实时同步也会断开；要继续使用，须用账号密码重新登录（会成为一台新设备）。",
    "手机丢失、转给别人或人员离岗时请吊销。这一步不能撤销。",
  ];
  if (device.current) lines.push("这是您现在正在使用的设备，吊销后您会立即退出工作台。");
  return lines.join("\n");
}

export default {
  name: "DevicesPage",
  template: `
    <section class="devices">
      <p class="muted ops-intro" v-if="isAdmin">本社区所有账号登录过的手机和浏览器。网格员的手机离线时保存着所联系住户的电话，手机丢失或人员离岗时，请在这里吊销。</p>
      <p class="muted ops-intro" v-else>您的账号登录过的手机和浏览器。手机丢失时请在这里吊销；别人的设备请联系社区书记。</p>
      <div class="page-actions">
        <el-switch v-model="showRevoked" active-text="显示已吊销的设备" aria-label="显示已吊销的设备" @change="load" />
        <span class="muted" data-test="total">共 {{ rows.length }} 台</span>
      </div>
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
      <el-table :data="rows" v-loading="loading" row-key="id" empty-text="没有设备" aria-label="设备列表" class="device-table">
        <el-table-column prop="accountName" label="账号" min-width="100" />
        <el-table-column label="设备" min-width="120">
          <template #default="{ row }">{{ deviceName(row.name) }}<el-tag v-if="row.current" size="small" class="this-device" type="success">本机</el-tag></template>
        </el-table-column>
        <el-table-column label="最近使用" min-width="150"><template #default="{ row }">{{ when(row.lastSeenAt) || '—' }}</template></el-table-column>
        <el-table-column label="最近同步" min-width="150"><template #default="{ row }">{{ when(row.lastSyncAt) || '从未同步' }}</template></el-table-column>
        <el-table-column label="状态" min-width="150">
          <template #default="{ row }">
            <span v-if="row.revokedAt" class="muted">已吊销 {{ when(row.revokedAt) }}</span>
            <span v-else>使用中</span>
          </template>
        </el-table-column>
        <el-table-column label="首次登录" min-width="150"><template #default="{ row }">{{ when(row.createdAt) }}</template></el-table-column>
        <el-table-column label="操作" width="90" fixed="right">
          <template #default="{ row }">
            <el-button v-if="!row.revokedAt" type="danger" link :aria-label="'吊销 ' + row.accountName + ' 的 ' + row.name" @click="revoke(row)">吊销</el-button>
          </template>
        </el-table-column>
      </el-table>
    </section>`,
  setup() {
    const rows = ref([]);
    const loading = ref(false);
    const error = ref("");
    const showRevoked = ref(false);
    const router = useRouter();

    async function load() {
      loading.value = true;
      error.value = "";
      try {
        rows.value = (await gql(DEVICES, { r: showRevoked.value })).devices;
      } catch (failure) {
        error.value = failure.message;
      } finally {
        loading.value = false;
      }
    }

    async function revoke(device) {
      try {
        await ElMessageBox.confirm(question(device), "吊销设备", {
          type: "warning",
          confirmButtonText: "吊销",
          cancelButtonText: "取消",
          customStyle: { whiteSpace: "pre-line" },
        });
      } catch {
        return;
      }
      try {
        const result = (await gql(REVOKE, { d: device.id })).revokeDevice;
        const message = problem(result, "DeviceRevoked");
        if (message) {
          ElMessage.error(message);
          return;
        }
        ElMessage.success(`已吊销「${deviceName(device.name)}」`);
        if (device.current) {
          await session.logout();
          router.replace("/login");
          return;
        }
        await load();
      } catch (failure) {
        ElMessage.error(failure.message);
      }
    }

    onMounted(load);
    return {
      rows,
      loading,
      error,
      showRevoked,
      load,
      revoke,
      when: dateTime,
      deviceName,
      isAdmin: computed(() => session.state.role === "admin"),
    };
  },
};
