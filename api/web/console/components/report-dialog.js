// 汇报: progress on one item reported back at a 汇报会 (reportProgress with the meeting), or
// 销号: closing an item the meeting has heard reported, which opens residents' rating.
import { ERROR_FIELDS, gql, problem } from "../api.js";

const { reactive, ref, watch } = Vue;
const { ElMessage } = ElementPlus;

const REPORT = `mutation($p: UUID!, $m: UUID!, $text: String!, $percent: Int!) {
  reportProgress(proposalId: $p, meetingId: $m, text: $text, percentDone: $percent) {
    __typename ${ERROR_FIELDS} } }`;
const CLOSE = `mutation($id: UUID!, $r: String) { closeProposal(id: $id, reason: $r) {
  __typename ${ERROR_FIELDS} } }`;

export default {
  name: "ReportDialog",
  props: {
    modelValue: { type: Boolean, default: false },
    meetingId: { type: String, required: true },
    item: { type: Object, default: null },
    mode: { type: String, default: "report" }, // "report" | "close"
  },
  emits: ["update:modelValue", "done"],
  template: `
    <el-dialog :model-value="modelValue" @update:model-value="$emit('update:modelValue', $event)"
      :title="(mode === 'close' ? '销号：' : '汇报进展：') + (item ? item.title : '')" width="min(560px, 94vw)" append-to-body>
      <el-form label-position="top" @submit.prevent="submit" :aria-label="mode === 'close' ? '销号' : '汇报进展'">
        <template v-if="mode === 'report'">
          <el-form-item label="进展情况" for="report-text">
            <el-input id="report-text" v-model="form.text" type="textarea" :rows="4" maxlength="2000" show-word-limit
              placeholder="已采取的措施、目前进展和下一步安排" />
          </el-form-item>
          <el-form-item label="完成程度（%）" for="report-percent">
            <el-input-number id="report-percent" v-model="form.percent" :min="0" :max="100" :step="10" aria-label="完成程度" />
          </el-form-item>
        </template>
        <el-form-item v-else label="销号说明（可不填）" for="close-reason">
          <el-input id="close-reason" v-model="form.reason" type="textarea" :rows="3" maxlength="500"
            placeholder="如：经到会居民确认，已办结" />
          <p class="muted">销号后，提出和附议的居民可以评价办理结果（评菜）。</p>
        </el-form-item>
      </el-form>
      <template #footer>
        <el-button @click="$emit('update:modelValue', false)">取消</el-button>
        <el-button type="primary" :loading="busy" @click="submit">{{ mode === 'close' ? '确认销号' : '记录汇报' }}</el-button>
      </template>
    </el-dialog>`,
  setup(props, { emit }) {
    const form = reactive({ text: "", percent: 0, reason: "" });
    const busy = ref(false);
    watch(
      () => props.modelValue,
      (open) => {
        if (open) {
          const last = props.item && props.item.last;
          Object.assign(form, { text: "", percent: last ? last.percentDone : 0, reason: "" });
        }
      },
    );

    async function submit() {
      if (props.mode === "report" && !form.text.trim()) {
        ElMessage.warning("请填写进展情况。");
        return;
      }
      busy.value = true;
      try {
        const data =
          props.mode === "close"
            ? await gql(CLOSE, { id: props.item.id, r: form.reason.trim() || null })
            : await gql(REPORT, {
                p: props.item.id,
                m: props.meetingId,
                text: form.text,
                percent: form.percent,
              });
        const message = problem(Object.values(data)[0]);
        if (message) {
          ElMessage.error(message);
          return;
        }
        ElMessage.success(props.mode === "close" ? "已销号" : "进展已记录");
        emit("update:modelValue", false);
        emit("done");
      } catch (error) {
        ElMessage.error(error.message);
      } finally {
        busy.value = false;
      }
    }
    return { form, busy, submit };
  },
};
