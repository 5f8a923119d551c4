// 社区设置 (admin only): the council's rules this community sets for itself — how long
// residents may rate a closed item (评菜), the score below which it reopens, how many ratings
// it takes, and after how many overdue days an unfinished item climbs to the cadre and then
// to the secretary (逾期督办). Each setting says in plain words what it does.
import { gql, problem } from "../api.js";
import { ERROR_SELECTION } from "../registry.js";

const { ref, reactive, onMounted } = Vue;
const { ElMessage } = ElementPlus;

const FIELDS = "ratingWindowDays ratingFloor minimumRatings escalationToCadreDays escalationToAdminDays";
const READ = `{ communitySettings { __typename ... on CommunitySettings { ${FIELDS} } ${ERROR_SELECTION} } }`;
const SAVE = `mutation($i: CommunitySettingsInput!) { updateCommunitySettings(input: $i) {
  __typename ... on CommunitySettings { ${FIELDS} } ${ERROR_SELECTION} } }`;

const SETTINGS = [
  {
    key: "ratingWindowDays",
    label: "评菜期（天）",
    min: 1,
    max: 60,
    step: 1,
    unit: "天",
    help: "一件事项办完销号后，提出和附议它的居民可以在这么多天内给办理结果打分（评菜）。时间太短居民来不及评，太长结果迟迟定不下来，一般 7 到 15 天。",
  },
  {
    key: "ratingFloor",
    label: "满意度底线（分）",
    min: 1,
    max: 5,
    step: 0.1,
    precision: 1,
    unit: "分",
    help: "评菜期结束时，居民打分（1 到 5 分）的平均分低于这个分数，说明大家不满意：事项会重新打开，继续办理。",
  },
  {
    key: "minimumRatings",
    label: "最少评分人数",
    min: 1,
    max: 100,
    step: 1,
    unit: "人",
    help: "评菜期结束时打分的人少于这个数，事项保持销号，并记为“评分人数不足”，不会因为一两个人的打分就重新打开。",
  },
  {
    key: "escalationToCadreDays",
    label: "逾期提交包联干部（天）",
    min: 1,
    max: 365,
    step: 1,
    unit: "天",
    help: "议定的事项过了办理期限还没办完，逾期这么多天后进入包联社区干部的督办清单，由干部催办。",
  },
  {
    key: "escalationToAdminDays",
    label: "逾期提交社区书记（天）",
    min: 2,
    max: 365,
    step: 1,
    unit: "天",
    help: "逾期这么多天后仍没办完，再提交社区书记督办。必须比“逾期提交包联干部”的天数多。",
  },
];

export default {
  name: "SettingsPage",
  template: `
    <section class="settings">
      <p class="muted ops-intro">这些是本社区长廊议事会的规则。修改从保存时起生效；已经开始的评菜期仍按开始时的规则进行。</p>
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
      <el-form v-if="loaded" :model="model" label-position="top" class="settings-form" aria-label="社区设置" @submit.prevent="save">
        <el-form-item v-for="s in settings" :key="s.key" :label="s.label" :for="'setting-' + s.key" :error="fieldErrors[s.key]">
          <div class="setting">
            <el-input-number :id="'setting-' + s.key" v-model="model[s.key]" :min="s.min" :max="s.max" :step="s.step"
              :precision="s.precision" controls-position="right" :aria-describedby="'help-' + s.key" />
            <span class="muted">{{ s.unit }}（{{ s.min }} 到 {{ s.max }}）</span>
          </div>
          <p class="hint muted setting-help" :id="'help-' + s.key">{{ s.help }}</p>
        </el-form-item>
        <el-button type="primary" native-type="submit" :loading="saving">保存设置</el-button>
        <el-button @click="load">放弃修改</el-button>
      </el-form>
    </section>`,
  setup() {
    const model = reactive({});
    const fieldErrors = reactive({});
    const loaded = ref(false);
    const saving = ref(false);
    const error = ref("");

    function take(values) {
      for (const s of SETTINGS) model[s.key] = values[s.key];
    }

    async function load() {
      error.value = "";
      for (const key of Object.keys(fieldErrors)) delete fieldErrors[key];
      try {
        const result = (await gql(READ)).communitySettings;
        const message = problem(result, "CommunitySettings");
        if (message) {
          error.value = message;
          return;
        }
        take(result);
        loaded.value = true;
      } catch (failure) {
        error.value = failure.message;
      }
    }

    async function save() {
      saving.value = true;
      error.value = "";
      for (const key of Object.keys(fieldErrors)) delete fieldErrors[key];
      try {
        const input = {};
        for (const s of SETTINGS) input[s.key] = model[s.key];
        const result = (await gql(SAVE, { i: input })).updateCommunitySettings;
        const message = problem(result, "CommunitySettings");
        if (message) {
          if (result.field && SETTINGS.some((s) => s.key === result.field)) fieldErrors[result.field] = message;
          else error.value = message;
          return;
        }
        take(result);
        ElMessage.success("设置已保存");
      } catch (failure) {
        error.value = failure.message;
      } finally {
        saving.value = false;
      }
    }

    onMounted(load);
    return { model, fieldErrors, loaded, saving, error, settings: SETTINGS, load, save };
  },
};
