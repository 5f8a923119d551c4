// 新增/编辑住户: an address (楼栋, 单元, 房号) in a micro-grid the viewer covers. The server
// checks the address is free and the micro-grid is theirs; its refusal shows in the form.
import { gql, problem } from "../api.js";
import { ERROR_SELECTION } from "../registry.js";

const { reactive, ref, computed, watch } = Vue;

const CREATE = `mutation($g: UUID!, $b: String!, $u: String!, $r: String!) {
  createHousehold(gridId: $g, building: $b, unit: $u, room: $r) {
    __typename ... on Household { id } ${ERROR_SELECTION} } }`;
const UPDATE = `mutation($id: UUID!, $c: HouseholdChanges!) { updateHousehold(id: $id, changes: $c) {
  __typename ... on Household { id } ${ERROR_SELECTION} } }`;

export default {
  name: "HouseholdForm",
  props: {
    modelValue: { type: Boolean, default: false },
    household: { type: Object, default: null },
    groups: { type: Array, default: () => [] },
  },
  emits: ["update:modelValue", "saved"],
  template: `
    <el-dialog :model-value="modelValue" @update:model-value="$emit('update:modelValue', $event)"
      :title="household ? '编辑住户' : '新增住户'" width="min(480px, 92vw)" @open="fill" append-to-body>
      <el-form ref="form" :model="model" :rules="rules" label-width="80px" @submit.prevent="save">
        <el-form-item label="微网格" prop="gridId" :error="errors.gridId" for="household-grid">
          <el-select id="household-grid" v-model="model.gridId" placeholder="选择楼栋所在的微网格"
            aria-label="微网格" style="width: 100%">
            <el-option v-for="grid in options" :key="grid.id" :label="grid.label" :value="grid.id" />
          </el-select>
        </el-form-item>
        <el-form-item label="楼栋" prop="building" :error="errors.building" for="household-building">
          <el-input id="household-building" v-model="model.building" placeholder="如 1号楼" maxlength="20" />
        </el-form-item>
        <el-form-item label="单元" prop="unit" :error="errors.unit" for="household-unit">
          <el-input id="household-unit" v-model="model.unit" placeholder="如 2单元" maxlength="20" />
        </el-form-item>
        <el-form-item label="房号" prop="room" :error="errors.room" for="household-room">
          <el-input id="household-room" v-model="model.room" placeholder="如 301" maxlength="20" />
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
    const model = reactive({ gridId: "", building: "", unit: "", room: "" });
    const errors = reactive({});
    const error = ref("");
    const busy = ref(false);
    const required = (label) => [{ required: true, message: `请填写${label}`, trigger: "blur" }];
    const rules = {
      gridId: [{ required: true, message: "请选择微网格", trigger: "change" }],
      building: required("楼栋"),
      unit: required("单元"),
      room: required("房号"),
    };
    function clearErrors() {
      error.value = "";
      for (const key of Object.keys(errors)) delete errors[key];
    }
    function fill() {
      clearErrors();
      const h = props.household;
      model.gridId = h ? h.gridId : "";
      model.building = h ? h.building : "";
      model.unit = h ? h.unit : "";
      model.room = h && h.room ? h.room.value || "" : "";
      if (form.value) form.value.clearValidate();
    }
    async function save() {
      clearErrors();
      if (!(await form.value.validate().catch(() => false))) return;
      busy.value = true;
      try {
        const values = {
          gridId: model.gridId,
          building: model.building.trim(),
          unit: model.unit.trim(),
          room: model.room.trim(),
        };
        const data = props.household
          ? await gql(UPDATE, { id: props.household.id, c: values })
          : await gql(CREATE, { g: values.gridId, b: values.building, u: values.unit, r: values.room });
        const result = data.updateHousehold || data.createHousehold;
        const message = problem(result, "Household");
        if (message) {
          if (result.field && result.field in model) errors[result.field] = message;
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
    watch(
      () => props.household,
      () => props.modelValue && fill(),
    );
    // One flat list (Element Plus's option groups nest lists in a way screen readers trip on).
    const options = computed(() =>
      props.groups.flatMap((group) =>
        group.options.map((grid) => ({ id: grid.id, label: `${grid.name}（${group.name}）` })),
      ),
    );
    return { form, model, rules, errors, error, busy, options, fill, save };
  },
};
