// 查看完整信息: lists carry the server-masked phone and ID number (138****8888); the full value
// is one request per resident, with a reason, written to the access log (PIPL). It is shown
// for a short while and masked again, and only the field asked for is kept.
import { gql, problem } from "../api.js";
import { REVEAL_REASONS } from "../registry.js";

const { reactive, ref, computed } = Vue;

export const SHOWN_SECONDS = 30;
const FIELD_NAMES = { phone: "手机号", idNumber: "身份证号" };

// `${residentId}:${field}` → { value, left } while it is shown.
const shown = reactive({});
const asking = reactive({ open: false, resident: null, field: "phone" });

function keyOf(residentId, field) {
  return `${residentId}:${field}`;
}

function show(residentId, field, value) {
  const key = keyOf(residentId, field);
  if (shown[key] && shown[key].timer) clearInterval(shown[key].timer);
  const entry = { value, left: SHOWN_SECONDS, timer: null };
  entry.timer = setInterval(() => {
    const current = shown[key];
    if (!current) return;
    current.left -= 1;
    if (current.left <= 0) hide(key);
  }, 1000);
  shown[key] = entry;
}

function hide(key) {
  if (shown[key]) clearInterval(shown[key].timer);
  delete shown[key];
}

export function hideAll() {
  for (const key of Object.keys(shown)) hide(key);
}

// One personal field of a resident: the masked value (or why it is hidden) and 查看.
export const ProtectedValue = {
  name: "ProtectedValue",
  props: { resident: { type: Object, required: true }, field: { type: String, required: true } },
  template: `
    <span class="protected">
      <template v-if="full">
        <span class="protected-full" data-test="revealed">{{ full.value || "未登记" }}</span>
        <span class="muted protected-left">{{ full.left }} 秒后隐藏</span>
        <el-button link type="primary" @click="hideNow">隐藏</el-button>
      </template>
      <template v-else-if="masked.hiddenReason">
        <span class="muted">无权查看</span>
      </template>
      <template v-else-if="masked.value">
        <span>{{ masked.value }}</span>
        <el-button link type="primary" @click="ask" :aria-label="'查看' + name + '：' + resident.name">查看</el-button>
      </template>
      <span v-else class="muted">未登记</span>
    </span>`,
  setup(props) {
    const key = computed(() => keyOf(props.resident.id, props.field));
    return {
      masked: computed(() => props.resident[props.field] || {}),
      full: computed(() => shown[key.value]),
      name: FIELD_NAMES[props.field],
      ask() {
        asking.resident = props.resident;
        asking.field = props.field;
        asking.open = true;
      },
      hideNow() {
        hide(key.value);
      },
    };
  },
};

const REVEAL = `mutation($r: UUID!, $p: String!) { revealPersonalData(residentId: $r, purpose: $p) {
  __typename ... on PersonalData { residentId phone idNumber } ... on Error { code message } } }`;

// The one dialog that asks why; place it once on a page that shows ProtectedValue.
export const RevealDialog = {
  name: "RevealDialog",
  template: `
    <el-dialog v-model="asking.open" :title="title" width="min(460px, 92vw)" @closed="reset" append-to-body>
      <p class="muted">完整信息只用于当前工作，查看会记入个人信息访问记录（谁、何时、为何查看）。</p>
      <el-form ref="form" :model="model" :rules="rules" label-position="top" @submit.prevent="confirm">
        <el-form-item label="查看原因" prop="purpose" for="reveal-purpose">
          <el-select id="reveal-purpose" v-model="model.purpose" filterable allow-create default-first-option
            placeholder="选择或输入原因" aria-label="查看原因" style="width: 100%">
            <el-option v-for="reason in reasons" :key="reason" :label="reason" :value="reason" />
          </el-select>
        </el-form-item>
        <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
      </el-form>
      <template #footer>
        <el-button @click="asking.open = false">取消</el-button>
        <el-button type="primary" :loading="busy" @click="confirm">查看</el-button>
      </template>
    </el-dialog>`,
  setup() {
    const form = ref(null);
    const model = reactive({ purpose: "" });
    const error = ref("");
    const busy = ref(false);
    const rules = {
      purpose: [{ required: true, message: "请选择或填写查看原因", trigger: "change" }],
    };
    async function confirm() {
      error.value = "";
      if (!(await form.value.validate().catch(() => false))) return;
      busy.value = true;
      try {
        const data = await gql(REVEAL, { r: asking.resident.id, p: model.purpose.trim() });
        const result = data.revealPersonalData;
        const message = problem(result, "PersonalData");
        if (message) {
          error.value = message;
          return;
        }
        show(asking.resident.id, asking.field, result[asking.field]);
        asking.open = false;
      } catch (failure) {
        error.value = failure.message;
      } finally {
        busy.value = false;
      }
    }
    function reset() {
      model.purpose = "";
      error.value = "";
      if (form.value) form.value.clearValidate();
    }
    return {
      asking,
      form,
      model,
      rules,
      error,
      busy,
      reasons: REVEAL_REASONS,
      title: computed(() =>
        asking.resident ? `查看${asking.resident.name}的${FIELD_NAMES[asking.field]}` : "查看完整信息",
      ),
      confirm,
      reset,
    };
  },
};
