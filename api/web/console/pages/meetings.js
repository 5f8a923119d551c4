// 会议: the community's 议事会 and 汇报会, latest first, and scheduling a new one (a grid's, or
// the whole community's for the admin). A meeting opens its own page (meeting.js).
import { ERROR_FIELDS, gql, problem, session } from "../api.js";
import { MEETING_KINDS, gridOptions } from "../council-words.js";
import { minute } from "../council-words.js";


const { ref, reactive, onMounted } = Vue;
const { useRouter } = VueRouter;
const { ElMessage } = ElementPlus;

const LIST = `{ meetings { id title kind startsAt place grid { name } agenda { position } } grids { id name parentId } }`;
const SCHEDULE = `mutation($kind: MeetingKind!, $title: String!, $at: DateTime!, $place: String!, $grid: UUID) {
  scheduleMeeting(kind: $kind, title: $title, startsAt: $at, place: $place, gridId: $grid) {
    __typename ${ERROR_FIELDS} ... on Meeting { id } } }`;

export default {
  name: "MeetingsPage",
  template: `
    <section class="meetings">
      <div class="toolbar">
        <el-radio-group v-model="kind" aria-label="会议类型">
          <el-radio-button value="">全部</el-radio-button>
          <el-radio-button value="DELIBERATION">议事会</el-radio-button>
          <el-radio-button value="REPORT_BACK">汇报会</el-radio-button>
        </el-radio-group>
        <el-button type="primary" @click="startSchedule">安排会议</el-button>
      </div>
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
      <el-table :data="shown" v-loading="loading" row-key="id" empty-text="还没有会议" aria-label="会议列表">
        <el-table-column label="会议" min-width="200">
          <template #default="{ row }">
            <router-link class="council-link" :to="'/meetings/' + row.id">{{ row.title }}</router-link>
          </template>
        </el-table-column>
        <el-table-column label="类型" width="90">
          <template #default="{ row }"><el-tag :type="row.kind === 'DELIBERATION' ? 'primary' : 'success'">{{ kinds[row.kind] }}</el-tag></template>
        </el-table-column>
        <el-table-column label="时间" width="180">
          <template #default="{ row }">{{ when(row.startsAt) }}</template>
        </el-table-column>
        <el-table-column label="地点" min-width="160" prop="place" />
        <el-table-column label="网格" width="120">
          <template #default="{ row }">{{ row.grid ? row.grid.name : "全社区" }}</template>
        </el-table-column>
        <el-table-column label="议题数" width="80">
          <template #default="{ row }">{{ row.kind === 'DELIBERATION' ? row.agenda.length : "—" }}</template>
        </el-table-column>
      </el-table>

      <el-dialog v-model="dialog" title="安排会议" width="min(560px, 94vw)">
        <el-form label-width="90px" @submit.prevent="schedule" aria-label="安排会议">
          <el-form-item label="类型">
            <el-radio-group v-model="form.kind" aria-label="会议类型">
              <el-radio value="DELIBERATION">议事会</el-radio>
              <el-radio value="REPORT_BACK">汇报会</el-radio>
            </el-radio-group>
          </el-form-item>
          <el-form-item label="名称" for="meeting-title">
            <el-input id="meeting-title" v-model="form.title" maxlength="100" placeholder="如：12月长廊议事会" />
          </el-form-item>
          <el-form-item label="时间" for="meeting-time">
            <el-date-picker id="meeting-time" v-model="form.startsAt" type="datetime" placeholder="选择日期和时间"
              format="YYYY-MM-DD HH:mm" aria-label="时间" style="width: 100%" />
          </el-form-item>
          <el-form-item label="地点" for="meeting-place">
            <el-input id="meeting-place" v-model="form.place" maxlength="100" placeholder="如：3号楼与4号楼之间的文化长廊" />
          </el-form-item>
          <el-form-item label="网格" for="meeting-grid">
            <el-select id="meeting-grid" v-model="form.gridId" clearable filterable :placeholder="isAdmin ? '全社区' : '选择网格'"
              aria-label="网格" style="width: 100%">
              <el-option v-for="g in grids" :key="g.value" :label="g.label" :value="g.value" />
            </el-select>
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="dialog = false">取消</el-button>
          <el-button type="primary" :loading="busy" @click="schedule">安排</el-button>
        </template>
      </el-dialog>
    </section>`,
  setup() {
    const router = useRouter();
    const meetings = ref([]);
    const grids = ref([]);
    const kind = ref("");
    const loading = ref(false);
    const error = ref("");
    const dialog = ref(false);
    const busy = ref(false);
    const form = reactive({ kind: "DELIBERATION", title: "", startsAt: null, place: "", gridId: "" });

    async function load() {
      loading.value = true;
      try {
        const data = await gql(LIST);
        meetings.value = data.meetings;
        grids.value = gridOptions(data.grids);
      } catch (problem_) {
        error.value = problem_.message;
      } finally {
        loading.value = false;
      }
    }

    function startSchedule() {
      const posts = (session.viewer && session.viewer.posts) || [];
      Object.assign(form, {
        kind: "DELIBERATION",
        title: "",
        startsAt: null,
        place: "",
        gridId: session.role === "staff" && posts.length ? posts[0].gridId : "",
      });
      dialog.value = true;
    }

    async function schedule() {
      if (!form.title.trim() || !form.startsAt || !form.place.trim()) {
        ElMessage.warning("请填写会议名称、时间和地点。");
        return;
      }
      busy.value = true;
      try {
        const data = await gql(SCHEDULE, {
          kind: form.kind,
          title: form.title,
          at: new Date(form.startsAt).toISOString(),
          place: form.place,
          grid: form.gridId || null,
        });
        const message = problem(data.scheduleMeeting, "Meeting");
        if (message) {
          ElMessage.error(message);
          return;
        }
        dialog.value = false;
        ElMessage.success("会议已安排");
        router.push(`/meetings/${data.scheduleMeeting.id}`);
      } catch (problem_) {
        ElMessage.error(problem_.message);
      } finally {
        busy.value = false;
      }
    }

    onMounted(load);
    return {
      meetings,
      grids,
      kind,
      loading,
      error,
      dialog,
      busy,
      form,
      isAdmin: session.role === "admin",
      kinds: MEETING_KINDS,
      when: minute,
      shown: Vue.computed(() => meetings.value.filter((m) => !kind.value || m.kind === kind.value)),
      startSchedule,
      schedule,
    };
  },
};
