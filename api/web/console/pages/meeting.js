// One meeting: its agenda (drag to reorder, or the up/down buttons from the keyboard), topics
// added from those accepted or waiting, attendance checked in by searching the register,
// the minutes, and at a 议事会 each item's resolution: solution, contact person, deadline.
import { ERROR_FIELDS, gql, problem } from "../api.js";
import { MEETING_KINDS, statusLabel, statusType } from "../council-words.js";
import { minute } from "../council-words.js";
import { date } from "../words.js";
import Deliberation from "../components/deliberation.js";

const { ref, computed, onMounted, onBeforeUnmount, nextTick } = Vue;
const { useRoute } = VueRouter;
const { ElMessage } = ElementPlus;

const RESOLUTION = "resolution { solution contactName deadline meetingId }";
const MEETING_FIELDS = `id title kind startsAt place minutes grid { name }
  agenda { position proposalId proposal { id title status ${RESOLUTION} } }
  attendance { id name residentId }`;
const MEETING = `query($id: UUID!) { meeting(id: $id) { __typename ${ERROR_FIELDS}
  ... on Meeting { ${MEETING_FIELDS} } } }`;
const CANDIDATES = `{
  accepted: proposals(first: 100, filter: { status: ACCEPTED }) { edges { node { id title status grid { name } } } }
  submitted: proposals(first: 100, filter: { status: SUBMITTED }) { edges { node { id title status grid { name } } } } }`;
const RESIDENTS = `query($f: ResidentFilter) { residents(first: 20, filter: $f) {
  edges { node { id name household { building unit } } } } }`;

function change(name, args, params) {
  return `mutation(${params}) { ${name}(${args}) { __typename ${ERROR_FIELDS}
    ... on Meeting { ${MEETING_FIELDS} } } }`;
}
const ADD = change("addAgendaItem", "meetingId: $m, proposalId: $p", "$m: UUID!, $p: UUID!");
const REMOVE = change("removeAgendaItem", "meetingId: $m, proposalId: $p", "$m: UUID!, $p: UUID!");
const REORDER = change("reorderAgenda", "meetingId: $m, proposalIds: $ids", "$m: UUID!, $ids: [UUID!]!");
const MINUTES = change("setMinutes", "meetingId: $m, minutes: $text", "$m: UUID!, $text: String!");
const ATTEND = `mutation($m: UUID!, $r: UUID, $n: String) {
  recordAttendance(meetingId: $m, residentId: $r, name: $n) { __typename ${ERROR_FIELDS}
    ... on Attendance { id name residentId } } }`;

export default {
  name: "MeetingPage",
  components: { Deliberation },
  template: `
    <section class="meeting">
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
      <template v-if="meeting">
        <el-descriptions :column="narrow ? 1 : 2" border size="small" class="meeting-facts">
          <el-descriptions-item label="会议">{{ meeting.title }}</el-descriptions-item>
          <el-descriptions-item label="类型">{{ kinds[meeting.kind] }}</el-descriptions-item>
          <el-descriptions-item label="时间">{{ when(meeting.startsAt) }}</el-descriptions-item>
          <el-descriptions-item label="地点">{{ meeting.place }}</el-descriptions-item>
          <el-descriptions-item label="网格">{{ meeting.grid ? meeting.grid.name : "全社区" }}</el-descriptions-item>
          <el-descriptions-item label="到会">{{ meeting.attendance.length }} 人</el-descriptions-item>
        </el-descriptions>
        <p><el-button text type="primary" @click="$router.push('/meetings')">← 返回会议列表</el-button>
          <el-button v-if="meeting.kind === 'REPORT_BACK'" type="primary" @click="$router.push('/report-back?meeting=' + meeting.id)">打开汇报清单</el-button></p>

        <template v-if="meeting.kind === 'DELIBERATION'">
          <h2>议程</h2>
          <p class="muted">拖动 ☰ 调整顺序，或用“上移”“下移”按钮。<span v-if="!started">会议开始后才能记录议定事项。</span></p>
          <ol ref="agendaList" class="agenda" aria-label="议程" data-test="agenda">
            <li v-for="(item, index) in meeting.agenda" :key="item.proposalId" :data-id="item.proposalId" class="agenda-item">
              <div class="agenda-row">
                <span class="drag-handle" aria-hidden="true" title="拖动排序">☰</span>
                <span class="agenda-number">{{ index + 1 }}.</span>
                <span class="agenda-title">
                  <router-link class="council-link" :to="'/topics?open=' + item.proposalId">{{ item.proposal ? item.proposal.title : "（议题不可见）" }}</router-link>
                  <el-tag v-if="item.proposal" size="small" :type="statusType(item.proposal.status)">{{ statusLabel(item.proposal.status) }}</el-tag>
                </span>
                <span class="agenda-buttons">
                  <el-button size="small" :disabled="index === 0 || busy" @click="move(index, index - 1)"
                    :aria-label="'上移：' + titleOf(item)">上移</el-button>
                  <el-button size="small" :disabled="index === meeting.agenda.length - 1 || busy" @click="move(index, index + 1)"
                    :aria-label="'下移：' + titleOf(item)">下移</el-button>
                  <el-button size="small" type="primary" :disabled="decided(item)" @click="deliberate(item)"
                    :aria-label="'议定：' + titleOf(item)">议定</el-button>
                  <el-button size="small" type="danger" plain :disabled="decided(item) || busy" @click="remove(item)"
                    :aria-label="'移出议程：' + titleOf(item)">移出</el-button>
                </span>
              </div>
              <p v-if="decided(item)" class="agenda-resolution" data-test="agenda-resolution">
                议定：{{ item.proposal.resolution.solution }}（联系人：{{ item.proposal.resolution.contactName }}；{{ day(item.proposal.resolution.deadline) }}前完成）
              </p>
            </li>
          </ol>
          <p v-if="!meeting.agenda.length" class="muted">议程上还没有议题。</p>
          <div class="inline-form">
            <label for="agenda-add" class="sr-label">添加议题</label>
            <el-select id="agenda-add" v-model="adding" filterable placeholder="选择已列入议程或待受理的议题"
              aria-label="添加议题" style="width: min(460px, 100%)">
              <el-option v-for="c in candidates" :key="c.id" :label="c.label" :value="c.id" />
            </el-select>
            <el-button type="primary" :disabled="!adding || busy" @click="add">加入议程</el-button>
          </div>
        </template>

        <h2>签到</h2>
        <div class="inline-form">
          <label for="attendance-search" class="sr-label">查找居民</label>
          <el-select id="attendance-search" v-model="attendee" filterable remote clearable :remote-method="findResidents"
            :loading="finding" placeholder="输入居民姓名或楼栋查找" aria-label="查找居民签到" style="width: min(320px, 100%)">
            <el-option v-for="r in residents" :key="r.id" :label="r.label" :value="r.id" />
          </el-select>
          <el-button type="primary" :disabled="!attendee" @click="checkIn">签到</el-button>
          <label for="attendance-name" class="sr-label">未登记的到会人</label>
          <el-input id="attendance-name" v-model="visitor" maxlength="50" placeholder="未登记的人：填写姓名" style="width: 200px" />
          <el-button :disabled="!visitor.trim()" @click="checkInName">按姓名签到</el-button>
        </div>
        <div class="attendance" data-test="attendance" aria-label="到会名单">
          <el-tag v-for="a in meeting.attendance" :key="a.id" type="info" class="attendee">{{ a.name }}</el-tag>
          <span v-if="!meeting.attendance.length" class="muted">还没有人签到。</span>
        </div>

        <h2>会议纪要</h2>
        <label for="minutes" class="sr-label">会议纪要</label>
        <el-input id="minutes" v-model="minutes" type="textarea" :rows="8" maxlength="20000" show-word-limit
          placeholder="时间、地点、主持、到会人数，逐项记录议定事项" />
        <p><el-button type="primary" :loading="saving" @click="saveMinutes">保存纪要</el-button>
          <span v-if="savedAt" class="muted saved-at" data-test="minutes-saved">已保存 {{ savedAt }}</span></p>
      </template>
      <deliberation v-if="meeting" v-model="deliberating" :meeting-id="meeting.id" :item="current" @decided="reload" />
    </section>`,
  setup() {
    const route = useRoute();
    const id = String(route.params.id);
    const meeting = ref(null);
    const error = ref("");
    const busy = ref(false);
    const candidatesAll = ref([]);
    const adding = ref("");
    const residents = ref([]);
    const attendee = ref("");
    const visitor = ref("");
    const finding = ref(false);
    const minutes = ref("");
    const saving = ref(false);
    const savedAt = ref("");
    const deliberating = ref(false);
    const current = ref(null);
    const agendaList = ref(null);
    let sortable = null;
    let restoreBefore = null;

    function show(data) {
      meeting.value = data;
      nextTick(attachSortable);
    }

    async function reload() {
      try {
        const data = await gql(MEETING, { id });
        const message = problem(data.meeting, "Meeting");
        if (message) error.value = message;
        else {
          show(data.meeting);
          minutes.value = data.meeting.minutes;
        }
      } catch (problem_) {
        error.value = problem_.message;
      }
    }

    async function loadCandidates() {
      try {
        const data = await gql(CANDIDATES);
        candidatesAll.value = [...data.accepted.edges, ...data.submitted.edges].map(({ node }) => ({
          id: node.id,
          label: `${node.title}（${statusLabel(node.status)}${node.grid ? "，" + node.grid.name : ""}）`,
        }));
      } catch (problem_) {
        error.value = problem_.message;
      }
    }

    async function run(query, variables) {
      busy.value = true;
      try {
        const data = await gql(query, variables);
        const result = Object.values(data)[0];
        const message = problem(result, "Meeting");
        if (message) {
          ElMessage.error(message);
          return false;
        }
        show(result);
        return true;
      } catch (problem_) {
        ElMessage.error(problem_.message);
        return false;
      } finally {
        busy.value = false;
      }
    }

    async function move(from, to) {
      const ids = meeting.value.agenda.map((item) => item.proposalId);
      const [moved] = ids.splice(from, 1);
      ids.splice(to, 0, moved);
      if (await run(REORDER, { m: id, ids })) ElMessage.success("议程顺序已保存");
    }

    // Sortable moves the element itself; the move is put back at once and the new order
    // goes to the server, so that Vue alone renders the list (from the server's answer).
    function attachSortable() {
      const list = agendaList.value;
      if (!list || sortable || typeof Sortable === "undefined") return;
      sortable = Sortable.create(list, {
        handle: ".drag-handle",
        draggable: ".agenda-item",
        animation: 150,
        forceFallback: true, // mouse and touch events, the same in every browser
        onStart(event) {
          restoreBefore = event.item.nextSibling;
        },
        onEnd(event) {
          const { oldIndex, newIndex, item, from } = event;
          from.insertBefore(item, restoreBefore);
          if (oldIndex !== newIndex) move(oldIndex, newIndex);
        },
      });
    }

    async function add() {
      if (await run(ADD, { m: id, p: adding.value })) {
        adding.value = "";
        ElMessage.success("已加入议程");
        await loadCandidates();
      }
    }

    async function remove(item) {
      if (await run(REMOVE, { m: id, p: item.proposalId })) {
        ElMessage.success("已移出议程，议题仍待议");
        await loadCandidates();
      }
    }

    async function findResidents(text) {
      if (!text || !text.trim()) {
        residents.value = [];
        return;
      }
      finding.value = true;
      try {
        const data = await gql(RESIDENTS, { f: { search: text.trim() } });
        residents.value = data.residents.edges.map(({ node }) => ({
          id: node.id,
          label: node.household ? `${node.name}（${node.household.building}${node.household.unit}）` : node.name,
        }));
      } catch (problem_) {
        ElMessage.error(problem_.message);
      } finally {
        finding.value = false;
      }
    }

    async function attend(variables) {
      try {
        const data = await gql(ATTEND, { m: id, ...variables });
        const message = problem(data.recordAttendance, "Attendance");
        if (message) {
          ElMessage.error(message);
          return false;
        }
        meeting.value.attendance = [...meeting.value.attendance, data.recordAttendance];
        ElMessage.success(`${data.recordAttendance.name} 已签到`);
        return true;
      } catch (problem_) {
        ElMessage.error(problem_.message);
        return false;
      }
    }

    async function checkIn() {
      if (await attend({ r: attendee.value, n: null })) attendee.value = "";
    }

    async function checkInName() {
      if (await attend({ r: null, n: visitor.value })) visitor.value = "";
    }

    async function saveMinutes() {
      saving.value = true;
      try {
        const data = await gql(MINUTES, { m: id, text: minutes.value });
        const message = problem(data.setMinutes, "Meeting");
        if (message) ElMessage.error(message);
        else {
          show(data.setMinutes);
          savedAt.value = new Date().toLocaleTimeString("zh-CN", { hour12: false });
        }
      } catch (problem_) {
        ElMessage.error(problem_.message);
      } finally {
        saving.value = false;
      }
    }

    onMounted(async () => {
      await reload();
      if (meeting.value && meeting.value.kind === "DELIBERATION") await loadCandidates();
    });
    onBeforeUnmount(() => sortable && sortable.destroy());

    const onAgenda = computed(() => new Set(meeting.value ? meeting.value.agenda.map((i) => i.proposalId) : []));
    return {
      meeting,
      error,
      busy,
      adding,
      residents,
      attendee,
      visitor,
      finding,
      minutes,
      saving,
      savedAt,
      deliberating,
      current,
      agendaList,
      narrow: window.matchMedia("(max-width: 900px)").matches,
      candidates: computed(() => candidatesAll.value.filter((c) => !onAgenda.value.has(c.id))),
      started: computed(() => meeting.value && Date.parse(meeting.value.startsAt) <= Date.now()),
      kinds: MEETING_KINDS,
      when: minute,
      day: date,
      statusLabel,
      statusType,
      titleOf: (item) => (item.proposal ? item.proposal.title : "议题"),
      decided: (item) => Boolean(item.proposal && item.proposal.resolution && item.proposal.resolution.meetingId === id),
      deliberate(item) {
        current.value = item;
        deliberating.value = true;
      },
      move,
      add,
      remove,
      findResidents,
      checkIn,
      checkInName,
      saveMinutes,
      reload,
    };
  },
};
