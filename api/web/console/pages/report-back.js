// 汇报会: for a report-back meeting, every open resolution with its progress, to go through
// item by item at the meeting (reportBack). A topic opens in 议题 with its whole history.
import { ERROR_FIELDS, gql, problem } from "../api.js";
import { statusLabel, statusType } from "../council-words.js";
import { minute } from "../council-words.js";
import { date } from "../words.js";
import ReportDialog from "../components/report-dialog.js";

const { ref, onMounted } = Vue;
const { useRoute, useRouter } = VueRouter;

const REPORT = `query($m: UUID!) { reportBack(meetingId: $m) { __typename ${ERROR_FIELDS}
  ... on ReportBack { meeting { id title startsAt place }
    items { id title status grid { name }
      resolution { solution contactName deadline }
      progressReports { text percentDone at } } } } }`;

function latest(item) {
  const reports = item.progressReports;
  return reports.length ? reports[reports.length - 1] : null;
}

export default {
  name: "ReportBackPage",
  components: { ReportDialog },
  template: `
    <section class="report-back">
      <el-form :inline="true" aria-label="选择汇报会" @submit.prevent>
        <el-form-item label="汇报会" for="report-meeting">
          <el-select id="report-meeting" v-model="meetingId" placeholder="选择汇报会" aria-label="汇报会"
            @change="choose" style="width: 320px">
            <el-option v-for="m in meetings" :key="m.id" :label="m.title + '（' + when(m.startsAt) + '）'" :value="m.id" />
          </el-select>
        </el-form-item>
      </el-form>
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
      <el-empty v-if="loaded && !meetings.length" description="还没有汇报会：先在“会议”里安排一次汇报会。" />
      <template v-if="report">
        <p class="muted">{{ report.meeting.title }}，{{ when(report.meeting.startsAt) }}，{{ report.meeting.place }}：共 {{ report.items.length }} 项待汇报。</p>
        <el-table :data="rows" row-key="id" empty-text="没有正在落实的事项" aria-label="汇报清单">
          <el-table-column label="序号" type="index" width="60" />
          <el-table-column label="议题" min-width="200">
            <template #default="{ row }">
              <router-link class="council-link" :to="'/topics?open=' + row.id">{{ row.title }}</router-link>
              <div class="muted">{{ row.grid ? row.grid.name : "全社区" }}</div>
            </template>
          </el-table-column>
          <el-table-column label="议定事项" min-width="220">
            <template #default="{ row }">{{ row.resolution ? row.resolution.solution : "—" }}</template>
          </el-table-column>
          <el-table-column label="联系人 / 期限" width="170">
            <template #default="{ row }">
              <template v-if="row.resolution">{{ row.resolution.contactName }}<div class="muted">{{ day(row.resolution.deadline) }}前</div></template>
            </template>
          </el-table-column>
          <el-table-column label="进展" min-width="200">
            <template #default="{ row }">
              <template v-if="row.last">
                <el-progress :percentage="row.last.percentDone" :aria-label="'完成 ' + row.last.percentDone + '%'" />
                <div class="event-text">{{ row.last.text }}</div>
                <div class="muted">{{ when(row.last.at) }}</div>
              </template>
              <span v-else class="muted">尚无进展汇报</span>
            </template>
          </el-table-column>
          <el-table-column label="状态" width="100">
            <template #default="{ row }"><el-tag :type="statusType(row.status)">{{ statusLabel(row.status) }}</el-tag></template>
          </el-table-column>
          <el-table-column label="办理" width="110" fixed="right">
            <template #default="{ row }">
              <div class="row-actions">
                <el-button size="small" type="primary" @click="act(row, 'report')" :aria-label="'汇报进展：' + row.title">汇报</el-button>
                <el-button v-if="row.status === 'REPORTED'" size="small" @click="act(row, 'close')" :aria-label="'销号：' + row.title">销号</el-button>
              </div>
            </template>
          </el-table-column>
        </el-table>
        <report-dialog v-model="dialog" :meeting-id="meetingId" :item="current" :mode="mode" @done="load" />
      </template>
    </section>`,
  setup() {
    const route = useRoute();
    const router = useRouter();
    const meetings = ref([]);
    const meetingId = ref("");
    const report = ref(null);
    const rows = ref([]);
    const error = ref("");
    const loaded = ref(false);
    const dialog = ref(false);
    const current = ref(null);
    const mode = ref("report");

    async function load() {
      error.value = "";
      try {
        const data = await gql(REPORT, { m: meetingId.value });
        const message = problem(data.reportBack, "ReportBack");
        if (message) {
          error.value = message;
          report.value = null;
          return;
        }
        report.value = data.reportBack;
        rows.value = data.reportBack.items.map((item) => ({ ...item, last: latest(item) }));
      } catch (problem_) {
        error.value = problem_.message;
      }
    }

    onMounted(async () => {
      try {
        const data = await gql("{ meetings { id title kind startsAt } }");
        meetings.value = data.meetings.filter((m) => m.kind === "REPORT_BACK");
      } catch (problem_) {
        error.value = problem_.message;
      }
      loaded.value = true;
      const asked = route.query.meeting && String(route.query.meeting);
      meetingId.value = asked || (meetings.value[0] && meetings.value[0].id) || "";
      if (meetingId.value) await load();
    });

    return {
      meetings,
      meetingId,
      report,
      rows,
      error,
      loaded,
      dialog,
      current,
      mode,
      load,
      act(row, which) {
        current.value = row;
        mode.value = which;
        dialog.value = true;
      },
      when: minute,
      day: date,
      statusLabel,
      statusType,
      choose() {
        router.replace({ path: "/report-back", query: { meeting: meetingId.value } });
      },
    };
  },
};
