// The steps staff may take on a topic at its status, as the lifecycle allows them
// (domain/lifecycle.py): put it on a 议事会's agenda (which accepts it), merge it into
// another open topic, decline it with a reason, or close (销号) an item reported back.
import { ERROR_FIELDS, gql, problem } from "../api.js";
import { statusLabel } from "../council-words.js";
import { minute } from "../council-words.js";


const { ref, computed } = Vue;
const { ElMessage } = ElementPlus;

const OPEN = ["SUBMITTED", "ACCEPTED", "DELIBERATED", "IN_PROGRESS", "REPORTED"];
const MEETINGS = "{ meetings { id title kind startsAt } }";
const FIND = `query($f: ProposalFilter) { proposals(first: 20, filter: $f) {
  edges { node { id title status } } } }`;

const CHANGE = {
  agenda: `mutation($m: UUID!, $p: UUID!) { addAgendaItem(meetingId: $m, proposalId: $p) {
    __typename ${ERROR_FIELDS} } }`,
  merge: `mutation($t: UUID!, $s: [UUID!]!) { mergeProposals(targetId: $t, sourceIds: $s) {
    __typename ${ERROR_FIELDS} } }`,
  decline: `mutation($id: UUID!, $r: String!) { declineProposal(id: $id, reason: $r) {
    __typename ${ERROR_FIELDS} } }`,
  close: `mutation($id: UUID!, $r: String) { closeProposal(id: $id, reason: $r) {
    __typename ${ERROR_FIELDS} } }`,
};

const TITLES = { agenda: "列入议程", merge: "合并到其他议题", decline: "不予采纳", close: "销号" };

export default {
  name: "TopicActions",
  props: { topic: { type: Object, required: true } },
  emits: ["changed"],
  template: `
    <div class="topic-actions" v-if="offered.length">
      <h2>办理</h2>
      <el-button v-for="a in offered" :key="a" :type="a === 'decline' ? 'danger' : 'primary'" plain
        @click="start(a)">{{ titles[a] }}</el-button>
      <el-dialog v-model="dialog" :title="titles[action] || ''" width="min(520px, 92vw)" append-to-body>
        <el-form label-position="top" @submit.prevent="submit">
          <el-form-item v-if="action === 'agenda'" label="议事会" for="action-meeting">
            <el-select id="action-meeting" v-model="meetingId" placeholder="选择议事会" aria-label="议事会" style="width: 100%">
              <el-option v-for="m in meetings" :key="m.id" :label="m.title + '（' + when(m.startsAt) + '）'" :value="m.id" />
            </el-select>
          </el-form-item>
          <el-form-item v-if="action === 'merge'" label="并入的议题" for="action-target">
            <el-select id="action-target" v-model="targetId" filterable remote :remote-method="find"
              :loading="finding" placeholder="输入标题查找" aria-label="并入的议题" style="width: 100%">
              <el-option v-for="c in candidates" :key="c.id" :label="c.title + '（' + statusLabel(c.status) + '）'" :value="c.id" />
            </el-select>
            <p class="muted">本议题的提出人和附议人将转为附议所选议题。</p>
          </el-form-item>
          <el-form-item v-if="action === 'decline' || action === 'close'" :label="action === 'decline' ? '不予采纳的理由' : '销号说明（可不填）'" for="action-reason">
            <el-input id="action-reason" v-model="reason" type="textarea" :rows="3" maxlength="500" show-word-limit />
          </el-form-item>
        </el-form>
        <template #footer>
          <el-button @click="dialog = false">取消</el-button>
          <el-button type="primary" :loading="busy" @click="submit">确定</el-button>
        </template>
      </el-dialog>
    </div>`,
  setup(props, { emit }) {
    const dialog = ref(false);
    const action = ref("");
    const busy = ref(false);
    const meetings = ref([]);
    const meetingId = ref("");
    const targetId = ref("");
    const candidates = ref([]);
    const finding = ref(false);
    const reason = ref("");

    const offered = computed(() => {
      const s = props.topic.status;
      if (s === "SUBMITTED" || s === "ACCEPTED") return ["agenda", "merge", "decline"];
      if (s === "REPORTED") return ["close"];
      return [];
    });

    function initialCandidates() {
      return props.topic.similar
        .map((s) => s.proposal)
        .filter((p) => p.id !== props.topic.id && OPEN.includes(p.status));
    }

    async function find(text) {
      if (!text) {
        candidates.value = initialCandidates();
        return;
      }
      finding.value = true;
      try {
        const data = await gql(FIND, { f: { search: text } });
        candidates.value = data.proposals.edges
          .map((e) => e.node)
          .filter((p) => p.id !== props.topic.id && OPEN.includes(p.status));
      } catch (error) {
        ElMessage.error(error.message);
      } finally {
        finding.value = false;
      }
    }

    async function start(which) {
      action.value = which;
      reason.value = "";
      targetId.value = "";
      meetingId.value = "";
      candidates.value = initialCandidates();
      if (which === "agenda") {
        try {
          const data = await gql(MEETINGS);
          meetings.value = data.meetings.filter((m) => m.kind === "DELIBERATION");
        } catch (error) {
          ElMessage.error(error.message);
          return;
        }
      }
      dialog.value = true;
    }

    async function submit() {
      const id = props.topic.id;
      const variables = {
        agenda: { m: meetingId.value, p: id },
        merge: { t: targetId.value, s: [id] },
        decline: { id, r: reason.value },
        close: { id, r: reason.value || null },
      }[action.value];
      if ((action.value === "agenda" && !meetingId.value) || (action.value === "merge" && !targetId.value)) {
        ElMessage.warning(action.value === "agenda" ? "请选择议事会。" : "请选择要并入的议题。");
        return;
      }
      busy.value = true;
      try {
        const data = await gql(CHANGE[action.value], variables);
        const message = problem(Object.values(data)[0]);
        if (message) {
          ElMessage.error(message);
          return;
        }
        ElMessage.success(`${TITLES[action.value]}：已完成`);
        dialog.value = false;
        emit("changed", id);
      } catch (error) {
        ElMessage.error(error.message);
      } finally {
        busy.value = false;
      }
    }

    return {
      dialog,
      action,
      busy,
      meetings,
      meetingId,
      targetId,
      candidates,
      finding,
      reason,
      offered,
      titles: TITLES,
      find,
      start,
      submit,
      statusLabel,
      when: minute,
    };
  },
};
