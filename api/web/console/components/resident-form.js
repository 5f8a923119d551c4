// 添加/编辑居民. Lists never hold the full phone or ID number, so editing cannot show them:
// a blank phone, ID number or birth date leaves it as it is (ResidentFields: left out = kept).
import { gql, problem } from "../api.js";
import { ERROR_SELECTION, TAGS } from "../registry.js";

const { reactive, ref, computed } = Vue;

const RESULT = `__typename ... on Resident { id } ${ERROR_SELECTION}`;
const CREATE = `mutation($h: UUID!, $f: ResidentFields!) { createResident(householdId: $h, fields: $f) { ${RESULT} } }`;
const UPDATE = `mutation($id: UUID!, $f: ResidentFields!) { updateResident(id: $id, fields: $f) { ${RESULT} } }`;

const FIELDS = ["name", "phone", "idNumber", "birthDate", "tags", "partyMember"];

export default {
  name: "ResidentForm",
  props: {
    modelValue: { type: Boolean, default: false },
    household: { type: Object, default: null },
    resident: { type: Object, default: null },
  },
  emits: ["update:modelValue", "saved"],
  template: `
    <el-dialog :model-value="modelValue" @update:model-value="$emit('update:modelValue', $event)"
      :title="title" width="min(520px, 94vw)" @open="fill" append-to-body>
      <el-form ref="form" :model="model" :rules="rules" label-width="90px" @submit.prevent="save">
        <el-form-item label="姓名" prop="name" :error="errors.name" for="resident-name">
          <el-input id="resident-name" v-model="model.name" maxlength="50" />
        </el-form-item>
        <el-form-item label="手机号" prop="phone" :error="errors.phone" for="resident-phone">
          <el-input id="resident-phone" v-model="model.phone" inputmode="tel" maxlength="20"
            :placeholder="keepHint(resident && resident.phone)" />
        </el-form-item>
        <el-form-item label="身份证号" prop="idNumber" :error="errors.idNumber" for="resident-id-number">
          <el-input id="resident-id-number" v-model="model.idNumber" maxlength="18"
            :placeholder="keepHint(resident && resident.idNumber)" />
        </el-form-item>
        <el-form-item label="出生日期" prop="birthDate" :error="errors.birthDate" for="resident-birth">
          <el-date-picker id="resident-birth" v-model="model.birthDate" type="date" value-format="YYYY-MM-DD"
            :placeholder="resident && resident.birthYear ? '不修改请留空（' + resident.birthYear + '年生）' : '选择日期'"
            aria-label="出生日期" style="width: 100%" />
        </el-form-item>
        <el-form-item label="标签" :error="errors.tags">
          <el-checkbox-group v-model="model.tags" aria-label="标签">
            <el-checkbox v-for="tag in tags" :key="tag.value" :value="tag.value">{{ tag.label }}</el-checkbox>
          </el-checkbox-group>
        </el-form-item>
        <el-form-item label="中共党员" :error="errors.partyMember">
          <el-switch v-model="model.partyMember" active-text="是" inactive-text="否" aria-label="中共党员" />
        </el-form-item>
        <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
      </el-form>
      <template #footer>
        <el-button @click="$emit('update:modelValue', false)">取消</el-button>
        <el-button type="primary" :loading="busy" @click="save">保存</el-button>
      </template>
    </el-dialog>`,
  setup(props, { emit }) {
    const form = ref(null);
    const model = reactive({ name: "", phone: "", idNumber: "", birthDate: null, tags: [], partyMember: false });
    const errors = reactive({});
    const error = ref("");
    const busy = ref(false);
    const rules = { name: [{ required: true, message: "请填写姓名", trigger: "blur" }] };
    function clearErrors() {
      error.value = "";
      for (const key of Object.keys(errors)) delete errors[key];
    }
    function fill() {
      clearErrors();
      const r = props.resident;
      model.name = r ? r.name : "";
      model.phone = "";
      model.idNumber = "";
      model.birthDate = null;
      model.tags = r && r.tags ? [...r.tags] : [];
      model.partyMember = Boolean(r && r.partyMember);
      if (form.value) form.value.clearValidate();
    }
    function fields() {
      const values = { name: model.name.trim(), tags: model.tags, partyMember: model.partyMember };
      if (model.phone.trim()) values.phone = model.phone.trim();
      if (model.idNumber.trim()) values.idNumber = model.idNumber.trim().toUpperCase();
      if (model.birthDate) values.birthDate = model.birthDate;
      return values;
    }
    async function save() {
      clearErrors();
      if (!(await form.value.validate().catch(() => false))) return;
      busy.value = true;
      try {
        const data = props.resident
          ? await gql(UPDATE, { id: props.resident.id, f: fields() })
          : await gql(CREATE, { h: props.household.id, f: fields() });
        const result = data.updateResident || data.createResident;
        const message = problem(result, "Resident");
        if (message) {
          if (result.field && FIELDS.includes(result.field)) errors[result.field] = message;
          else error.value = message;
          return;
        }
        emit("update:modelValue", false);
        emit("saved", result.id);
      } catch (failure) {
        error.value = failure.message;
      } finally {
        busy.value = false;
      }
    }
    return {
      form,
      model,
      rules,
      errors,
      error,
      busy,
      tags: TAGS,
      fill,
      save,
      keepHint: (value) => (value && value.value ? `不修改请留空（现为 ${value.value}）` : "选填"),
      title: computed(() => {
        if (props.resident) return `编辑居民：${props.resident.name}`;
        return props.household ? `添加居民：${props.household.building}${props.household.unit}` : "添加居民";
      }),
    };
  },
};
