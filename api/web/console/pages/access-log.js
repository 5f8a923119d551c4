// 访问记录 (admin only, PIPL): who read a resident's personal data in full or exported the
// register, when and why, and which phone holds whose full contact phone since when.
// Filtered by person, purpose and dates; newest first, a page at a time.
import { gql } from "../api.js";
import { REVEAL_REASONS } from "../registry.js";
import { dateTime, deviceName } from "../words.js";

const { ref, reactive, onMounted } = Vue;

const PAGE = 100;
const LOG = `query($a: UUID, $p: String, $s: DateTime, $u: DateTime, $f: Int!) {
  personalDataAccessLog(accountId: $a, purpose: $p, since: $s, until: $u, first: $f) {
    kind at accountId accountName residentId residentName deviceName purpose detail } }`;
const PEOPLE = "{ devices { accountId accountName } }";

const PURPOSES = [
  ...REVEAL_REASONS.map((reason) => ({ value: reason, label: `查看：${reason}` })),
  { value: "export", label: "导出居民名册" },
  { value: "sync", label: "同步到手机（手机持有）" },
];

function purposeName(entry) {
  if (entry.purpose === "export") return "导出居民名册";
  if (entry.purpose === "sync") return "同步到手机";
  return entry.purpose;
}

function kindName(entry) {
  if (entry.kind === "DEVICE_HOLDS") return "手机持有";
  return entry.purpose === "export" ? "导出" : "查看";
}

// The server writes details in English for its own log; say them in Chinese here.
function detailText(entry) {
  if (entry.kind === "DEVICE_HOLDS") {
    return `${entry.deviceName ? deviceName(entry.deviceName) : "手机"}保存着完整联系电话、脱敏的身份证号和出生年份`;
  }
  const exported = /^(\d+) residents, (masked|unmasked)$/.exec(entry.detail || "");
  if (exported) {
    return `共 ${exported[1]} 名居民，${exported[2] === "unmasked" ? "未脱敏（完整信息）" : "已脱敏"}`;
  }
  return entry.detail || "完整联系电话和身份证号";
}

function dayAfter(date) {
  const next = new Date(date);
  next.setDate(next.getDate() + 1);
  return next;
}

export default {
  name: "AccessLogPage",
  template: `
    <section class="access-log">
      <p class="muted ops-intro">按《个人信息保护法》，每一次查看居民的完整电话或身份证号、每一次导出名册都留有记录；网格员手机上同步保存的完整电话也列在这里。</p>
      <el-form class="filters" :inline="true" @submit.prevent="search" aria-label="筛选访问记录">
        <el-form-item label="人员" for="log-account">
          <el-select id="log-account" v-model="filters.accountId" clearable filterable placeholder="全部人员"
            aria-label="人员" style="width: 160px" @change="search">
            <el-option v-for="p in people" :key="p.id" :label="p.name" :value="p.id" />
          </el-select>
        </el-form-item>
        <el-form-item label="用途" for="log-purpose">
          <el-select id="log-purpose" v-model="filters.purpose" clearable filterable allow-create default-first-option
            placeholder="全部用途" aria-label="用途" style="width: 200px" @change="search">
            <el-option v-for="p in purposes" :key="p.value" :label="p.label" :value="p.value" />
          </el-select>
        </el-form-item>
        <el-form-item label="日期" for="log-dates">
          <el-date-picker id="log-dates" v-model="filters.dates" type="daterange" range-separator="至"
            start-placeholder="开始日期" end-placeholder="结束日期" aria-label="日期范围" style="width: 260px"
            @change="search" />
        </el-form-item>
        <el-form-item>
          <el-button type="primary" native-type="submit">查询</el-button>
        </el-form-item>
      </el-form>
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
      <el-table :data="rows" v-loading="loading" empty-text="没有符合条件的访问记录" aria-label="访问记录" class="log-table">
        <el-table-column label="时间" min-width="150"><template #default="{ row }">{{ when(row.at) }}</template></el-table-column>
        <el-table-column prop="accountName" label="人员" min-width="90" />
        <el-table-column label="方式" min-width="80"><template #default="{ row }">{{ kindName(row) }}</template></el-table-column>
        <el-table-column label="居民" min-width="90"><template #default="{ row }">{{ row.residentName || (row.purpose === 'export' ? '多名居民' : '—') }}</template></el-table-column>
        <el-table-column label="原因" min-width="110"><template #default="{ row }">{{ purposeName(row) }}</template></el-table-column>
        <el-table-column label="内容" min-width="200"><template #default="{ row }">{{ detailText(row) }}</template></el-table-column>
      </el-table>
      <div class="pager">
        <span class="muted" data-test="total">已显示 {{ rows.length }} 条（最新的在前）</span>
        <el-button v-if="more" :loading="loading" @click="older">加载更早的记录</el-button>
      </div>
    </section>`,
  setup() {
    const filters = reactive({ accountId: "", purpose: "", dates: null });
    const rows = ref([]);
    const people = ref([]);
    const loading = ref(false);
    const more = ref(false);
    const error = ref("");

    function variables(until) {
      const v = { f: PAGE, a: filters.accountId || null, p: (filters.purpose || "").trim() || null };
      if (filters.dates && filters.dates.length === 2) {
        v.s = new Date(filters.dates[0]).toISOString();
        v.u = dayAfter(filters.dates[1]).toISOString();
      }
      if (until) v.u = until;
      return v;
    }

    // Many entries may share one moment (a pull's holdings): the next page starts at the
    // last one shown, inclusive, and leaves out what is already on the screen.
    const key = (e) => [e.kind, e.at, e.accountId, e.residentId, e.deviceName, e.purpose].join("|");

    async function fetchPage(until) {
      loading.value = true;
      error.value = "";
      try {
        const found = (await gql(LOG, variables(until))).personalDataAccessLog;
        if (until) {
          const shown = new Set(rows.value.map(key));
          const fresh = found.filter((e) => !shown.has(key(e)));
          rows.value = [...rows.value, ...fresh];
          more.value = found.length === PAGE && fresh.length > 0;
        } else {
          rows.value = found;
          more.value = found.length === PAGE;
        }
      } catch (failure) {
        error.value = failure.message;
      } finally {
        loading.value = false;
      }
    }

    const search = () => fetchPage(null);
    const older = () =>
      fetchPage(new Date(Date.parse(rows.value[rows.value.length - 1].at) + 1).toISOString());

    onMounted(async () => {
      try {
        const seen = new Map();
        for (const d of (await gql(PEOPLE)).devices) seen.set(d.accountId, d.accountName);
        people.value = [...seen].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name, "zh-CN"));
      } catch (failure) {
        error.value = failure.message;
      }
      await search();
    });

    return {
      filters,
      rows,
      people,
      purposes: PURPOSES,
      loading,
      more,
      error,
      search,
      older,
      when: dateTime,
      kindName,
      purposeName,
      detailText,
    };
  },
};
