// 导入花名册: choose a register (CSV or XLSX), preview what importing it would do row by row
// (新增 / 更新 / 不变 / 拒绝, with line numbers and reasons), download the refused rows to fix
// them, then import. The server decides every outcome (api/register_upload.py); the page
// only shows them, paged, so a register of 20,000 rows stays quick.
import { downloadFile, uploadFile } from "../api.js";

const { ref, computed } = Vue;
const { ElMessage } = ElementPlus;

const URL_IMPORT = "/console/import/register";
const URL_REFUSED = "/console/import/register/refused.xlsx";
const PAGE = 50;

const OUTCOMES = [
  { value: "create", label: "新增", type: "success" },
  { value: "update", label: "更新", type: "primary" },
  { value: "unchanged", label: "不变", type: "info" },
  { value: "refused", label: "拒绝", type: "danger" },
];

function size(bytes) {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1000))} KB`;
}

function outcomeOf(value) {
  return OUTCOMES.find((o) => o.value === value) || OUTCOMES[2];
}

export default {
  name: "RegisterImportPage",
  template: `
    <section class="register-import">
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
      <h2>1. 选择花名册文件</h2>
      <p class="muted">支持 CSV（UTF-8 或 GBK）和 Excel（.xlsx），第 1 行为表头，最大 20 MB。身份证号一列请设为“文本”格式。</p>
      <el-upload drag :auto-upload="false" :show-file-list="false" accept=".csv,.xlsx"
        :on-change="chosen" class="picker">
        <div class="el-upload__text">把文件拖到这里，或<em>点击选择</em></div>
      </el-upload>
      <p v-if="file" class="chosen" data-test="chosen">已选择：{{ file.name }}（{{ size(file.size) }}）</p>
      <div class="page-actions">
        <el-button type="primary" :disabled="!file || busy" :loading="busy && mode === 'preview'"
          @click="run('preview')">预览</el-button>
      </div>
      <div v-if="busy || percent > 0" class="progress">
        <div class="muted">{{ stage }}</div>
        <el-progress :percentage="percent" :status="percent === 100 ? 'success' : undefined"
          aria-label="导入进度" />
      </div>

      <template v-if="report">
        <h2>2. 预览结果</h2>
        <div class="cards">
          <el-card v-for="o in outcomes" :key="o.value" shadow="never">
            <div class="muted">{{ o.label }}</div>
            <p class="stat" :data-test="'count-' + o.value">{{ report.counts[o.value] }}</p>
          </el-card>
        </div>
        <el-alert v-if="report.ignoredColumns.length" type="info" :closable="false" show-icon
          :title="'未识别的列（不导入）：' + report.ignoredColumns.join('、')" />
        <el-radio-group v-model="shown" aria-label="按结果筛选" class="filter" @change="page = 1">
          <el-radio-button value="all">全部（{{ report.rows.length }}）</el-radio-button>
          <el-radio-button v-for="o in outcomes" :key="o.value" :value="o.value">
            {{ o.label }}（{{ report.counts[o.value] }}）
          </el-radio-button>
        </el-radio-group>
        <el-table :data="pageRows" aria-label="预览结果" empty-text="没有这类行" class="rows">
          <el-table-column prop="line" label="行号" width="64" align="right" />
          <el-table-column label="结果" width="72">
            <template #default="{ row }">
              <el-tag :type="outcomeOf(row.outcome).type" size="small">{{ outcomeOf(row.outcome).label }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column prop="name" label="姓名" width="96" />
          <el-table-column prop="address" label="地址" min-width="110" />
          <el-table-column label="变更 / 原因" min-width="220">
            <template #default="{ row }">
              <span v-if="row.reason" class="reason">{{ row.reason }}</span>
              <span v-else-if="row.outcome === 'update'">
                <span v-for="c in row.changes" :key="c.field" class="change">{{ c.field }}：{{ c.old || '（空）' }} → {{ c.new || '（空）' }}</span>
              </span>
              <span v-else-if="row.outcome === 'create'" class="muted">新登记</span>
              <span v-else class="muted">与已登记信息一致</span>
            </template>
          </el-table-column>
        </el-table>
        <el-pagination v-if="filtered.length > pageSize" layout="prev, pager, next, total"
          :total="filtered.length" :page-size="pageSize" v-model:current-page="page" class="pager" />

        <h2>3. 确认导入</h2>
        <el-alert v-if="report.applied" type="success" :closable="false" show-icon data-test="applied"
          :title="'已导入：新增 ' + report.counts.create + ' 人，更新 ' + report.counts.update + ' 人，新建 ' + report.householdsCreated + ' 户'" />
        <template v-else>
          <p v-if="report.counts.refused" class="muted">
            有 {{ report.counts.refused }} 行被拒绝。可以下载这些行改正后再导入；也可以只导入其余的行。
          </p>
          <div class="page-actions">
            <el-button v-if="report.counts.refused" :disabled="busy" @click="downloadRefused">下载被拒绝的行（XLSX）</el-button>
            <el-checkbox v-if="report.counts.refused" v-model="skipRefused">跳过被拒绝的行</el-checkbox>
            <el-button type="danger" :disabled="busy || !canApply" :loading="busy && mode === 'apply'"
              @click="run('apply')">确认导入</el-button>
          </div>
        </template>
      </template>
    </section>`,
  setup() {
    const file = ref(null);
    const busy = ref(false);
    const mode = ref("preview");
    const stage = ref("");
    const percent = ref(0);
    const error = ref("");
    const report = ref(null);
    const shown = ref("all");
    const page = ref(1);
    const skipRefused = ref(false);

    const filtered = computed(() =>
      !report.value ? [] : shown.value === "all" ? report.value.rows : report.value.rows.filter((r) => r.outcome === shown.value),
    );
    const pageRows = computed(() => filtered.value.slice((page.value - 1) * PAGE, page.value * PAGE));
    const canApply = computed(
      () => report.value && (report.value.counts.create + report.value.counts.update > 0) && (!report.value.counts.refused || skipRefused.value),
    );

    function reset() {
      report.value = null;
      error.value = "";
      percent.value = 0;
      shown.value = "all";
      page.value = 1;
      skipRefused.value = false;
    }
    function chosen(entry) {
      file.value = entry.raw;
      reset();
    }
    async function run(which) {
      mode.value = which;
      busy.value = true;
      error.value = "";
      percent.value = 0;
      stage.value = "正在上传…";
      try {
        const last = await uploadFile(URL_IMPORT, file.value, {
          fields: { mode: which, skipRefused: skipRefused.value },
          onProgress: (share) => {
            percent.value = Math.round(share * 20);
          },
          onLine: (line) => {
            if (line.total !== undefined) {
              stage.value = which === "apply" ? `正在导入：${line.progress} / ${line.total} 行` : `正在检查：${line.progress} / ${line.total} 行`;
              percent.value = 20 + Math.round((line.total ? line.progress / line.total : 1) * 80);
            }
          },
        });
        if (last && last.error) throw new Error(last.error.message);
        if (!last || !last.report) throw new Error("服务器没有返回导入结果。");
        report.value = last.report;
        percent.value = 100;
        stage.value = which === "apply" ? (last.report.applied ? "导入完成" : "未导入：有被拒绝的行") : "预览完成";
        if (which === "apply" && last.report.applied) ElMessage.success("花名册已导入");
        if (which === "apply" && !last.report.applied) error.value = "有被拒绝的行，未导入任何数据。请改正，或勾选“跳过被拒绝的行”。";
      } catch (failure) {
        error.value = failure.message;
        percent.value = 0;
      } finally {
        busy.value = false;
      }
    }

    async function downloadRefused() {
      const form = new FormData();
      form.append("file", file.value);
      try {
        await downloadFile(URL_REFUSED, "被拒绝的行.xlsx", { method: "POST", body: form });
      } catch (failure) {
        error.value = failure.message;
      }
    }

    return {
      file, busy, mode, stage, percent, error, report, shown, page, skipRefused,
      filtered, pageRows, canApply, pageSize: PAGE, outcomes: OUTCOMES, outcomeOf,
      chosen, run, downloadRefused, size,
    };
  },
};
