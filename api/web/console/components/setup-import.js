// 从表格导入 (网格 or 工作人员): download the template, choose the filled file, see the
// server's dry run row by row (新建 / 不变 / 拒绝 with the reason and the line), then 确认导入,
// which the server applies all or nothing. The file is sent twice (preview, then apply) so
// that the server never keeps an upload between requests.
import { downloadFile, uploadFile } from "../api.js";

const { ref, computed } = Vue;
const { ElMessage } = ElementPlus;

const OUTCOMES = {
  create: { label: "新建", type: "success" },
  unchanged: { label: "不变", type: "info" },
  refused: { label: "拒绝", type: "danger" },
};

export default {
  name: "SetupImport",
  props: {
    kind: { type: String, required: true }, // "grid" | "staff"
    title: { type: String, required: true },
    templateName: { type: String, required: true },
  },
  emits: ["imported"],
  template: `
    <el-card shadow="never" class="setup-import">
      <template #header><h3>{{ title }}</h3></template>
      <div class="page-actions">
        <el-button @click="template" :data-test="kind + '-template'">下载模板</el-button>
        <el-upload :auto-upload="false" :show-file-list="false" accept=".xlsx,.csv"
          :on-change="chosen" :data-test="kind + '-upload'">
          <!-- el-upload's own element is the button (role="button"): no <el-button> inside it -->
          <span class="el-button el-button--primary is-plain">选择填好的文件</span>
        </el-upload>
        <span v-if="file" class="muted">{{ file.name }}</span>
      </div>
      <p class="muted">模板第二行是各列的填写说明，导入时会自动跳过；CSV 文件可以是 UTF-8 或 GBK 编码。</p>
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
      <template v-if="preview">
        <p :data-test="kind + '-counts'">
          预览：新建 {{ preview.counts.create }} 行，不变 {{ preview.counts.unchanged }} 行，
          拒绝 {{ preview.counts.refused }} 行<span v-if="preview.applied">（已导入）</span>
        </p>
        <el-table :data="preview.rows" size="small" max-height="320" :aria-label="title + '预览'"
          empty-text="文件里没有数据行" :data-test="kind + '-preview'">
          <el-table-column prop="line" label="行号" width="64" align="right" />
          <el-table-column label="结果" width="80">
            <template #default="{ row }">
              <el-tag :type="outcomes[row.outcome].type" disable-transitions>{{ outcomes[row.outcome].label }}</el-tag>
            </template>
          </el-table-column>
          <el-table-column label="内容" min-width="240">
            <template #default="{ row }">{{ row.reason || row.summary }}</template>
          </el-table-column>
        </el-table>
        <div class="page-actions">
          <el-button v-if="!preview.applied" type="primary" :disabled="!canApply" :loading="busy"
            @click="apply" :data-test="kind + '-apply'">确认导入</el-button>
          <span v-if="preview.counts.refused" class="muted">有被拒绝的行时不会导入任何内容：请改正文件后重新选择。</span>
        </div>
      </template>
    </el-card>`,
  setup(props, { emit }) {
    const file = ref(null);
    const preview = ref(null);
    const error = ref("");
    const busy = ref(false);
    const canApply = computed(
      () => preview.value && !preview.value.counts.refused && preview.value.counts.create > 0,
    );

    async function send(dryRun) {
      error.value = "";
      busy.value = true;
      try {
        return await uploadFile(`/console/import/${props.kind}`, file.value, {
          fields: { dryRun },
        });
      } catch (problem) {
        error.value = problem.message;
        return null;
      } finally {
        busy.value = false;
      }
    }

    async function chosen(upload) {
      file.value = upload.raw;
      preview.value = null;
      preview.value = await send(true);
    }

    async function apply() {
      const result = await send(false);
      if (!result) return;
      preview.value = result;
      if (result.applied) {
        ElMessage.success(`已导入：新建 ${result.counts.create} 行`);
        emit("imported", result);
      }
    }

    async function template() {
      try {
        await downloadFile(`/console/templates/${props.kind}.xlsx`, props.templateName);
      } catch (problem) {
        error.value = problem.message;
      }
    }

    return { file, preview, error, busy, canApply, chosen, apply, template, outcomes: OUTCOMES };
  },
};
