// 一场表决: its rule, the live tally (the voteTally subscription the residents' page uses),
// ballots given in person at a meeting, closing, and verification of the published result.
import { ERROR_FIELDS, gql, problem, session } from "../api.js";
import { subscribe } from "../live.js";
import { dateTime } from "../words.js";
import { CHOICES, ELECTORATES, STATUSES, THRESHOLDS, outcome, ruleText } from "../vote-words.js";

const { ref, reactive, computed, onMounted, onBeforeUnmount } = Vue;

const TALLY = "ballots electorateSize turnout quorumMet for against abstain passed countsHidden hiddenReason final status";

const VOTE = `query($id: UUID!) { vote(id: $id) { __typename ... on Vote {
  id proposalId electorate gridId panelId electorateSize opensAt closesAt finalAt countingEndsAt
  quorumBallots quorumPercent threshold secret allowChange hideResultsUntilClose status closedAt
  tally { ${TALLY} } } ${ERROR_FIELDS} }
  meetings { id title kind startsAt place } }`;

const TOPIC = `query($id: UUID!) { proposal(id: $id) { __typename ... on Proposal { id title } ${ERROR_FIELDS} } }`;
const LIVE = `subscription($id: UUID!) { voteTally(voteId: $id) { ${TALLY} } }`;
const SESSIONS = `query($id: UUID!) { inPersonSessions(voteId: $id) { __typename
  ... on PollingSessionList { sessions { meetingId meetingTitle startsAt recordedBy counted setAside } } ${ERROR_FIELDS} } }`;
const SEARCH = `query($s: String!) { residents(first: 20, filter: { search: $s }) {
  edges { node { id name household { id building unit } } } } }`;
const RECORD = `mutation($v: UUID!, $c: Choice!, $m: UUID!, $r: UUID!) {
  recordInPersonBallot(voteId: $v, choice: $c, meetingId: $m, residentId: $r) {
  __typename ... on BallotReceipt { receipt changeToken } ${ERROR_FIELDS} } }`;
const CLOSE = `mutation($v: UUID!) { closeVote(voteId: $v) { __typename ... on Vote { id status } ${ERROR_FIELDS} } }`;
const VERIFY = `query($v: UUID!) {
  verifyTally(voteId: $v) { __typename ... on VerifyResult { ok problems logEntries receipts countedBallots digest sealedDigest
    recount { for against abstain ballots passed } } ${ERROR_FIELDS} }
  voteCommitments(voteId: $v) { __typename ... on CommitmentList { commitments } ${ERROR_FIELDS} }
  voteChoices(voteId: $v) { __typename ... on ChoiceList { secret choices { choice ballotId voter } } ${ERROR_FIELDS} } }`;

const MEETING_OPEN_HOURS = 6; // domain/services/in_person.py MEETING_OPEN_FOR

function checksOf(result, tally) {
  const recount = result.recount;
  const same = recount && tally.final && recount.for === tally.for && recount.against === tally.against
    && recount.abstain === tally.abstain;
  return [
    { name: "哈希链完整", ok: result.ok || !result.problems.some((p) => /chain|link|hash/i.test(p)),
      detail: `日志共 ${result.logEntries} 条，逐条重算哈希，没有被改动、增加或删除的记录。` },
    { name: "回执与计入的票一致", ok: result.receipts === result.countedBallots,
      detail: `已投票 ${result.receipts} 人，计入 ${result.countedBallots} 票。` },
    { name: "重新计票与公布结果一致", ok: result.ok && Boolean(same),
      detail: recount ? `按日志重算：赞成 ${recount.for}，反对 ${recount.against}，弃权 ${recount.abstain}。` : "尚无可重算的结果。" },
    { name: "公布的名单与封存摘要一致", ok: result.ok && result.digest !== null && result.digest === result.sealedDigest,
      detail: result.sealedDigest ? `封存摘要 ${result.sealedDigest.slice(0, 16)}…` : "表决结束后才封存。" },
  ];
}

export default {
  name: "VotePage",
  template: `
    <section v-if="vote">
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" />
      <div class="page-actions">
        <el-button @click="$router.push('/votes')">返回表决列表</el-button>
        <el-tag :type="statuses[tally.status].type" data-test="status">{{ statuses[tally.status].label }}</el-tag>
      </div>
      <h2>{{ title }}</h2>
      <el-descriptions :column="narrow ? 1 : 2" border>
        <el-descriptions-item label="规则">{{ rule }}</el-descriptions-item>
        <el-descriptions-item label="谁来投票">{{ electorates[vote.electorate].help }}</el-descriptions-item>
        <el-descriptions-item label="通过标准">{{ thresholds[vote.threshold].help }}</el-descriptions-item>
        <el-descriptions-item label="应投人数">{{ vote.electorateSize }}（发起时固定）</el-descriptions-item>
        <el-descriptions-item label="开始">{{ when(vote.opensAt) }}</el-descriptions-item>
        <el-descriptions-item label="截止">{{ when(vote.closesAt) }}</el-descriptions-item>
        <el-descriptions-item label="结果固定">{{ when(vote.finalAt) }}<span v-if="vote.countingEndsAt">（计票期至 {{ when(vote.countingEndsAt) }}）</span></el-descriptions-item>
        <el-descriptions-item label="改票">{{ vote.allowChange ? '截止前允许改票' : '不允许改票' }}</el-descriptions-item>
      </el-descriptions>

      <h2>实时计票</h2>
      <el-card shadow="never" data-test="tally">
        <p>已投 <strong data-test="ballots">{{ tally.ballots }}</strong> 票，应投 {{ tally.electorateSize }}，投票率 {{ percent(tally.turnout) }}；
          最低票数{{ tally.quorumMet ? '已达到' : '未达到' }}。</p>
        <el-progress :percentage="Math.round(tally.turnout * 1000) / 10" :stroke-width="14" aria-label="投票率" />
        <p v-if="tally.countsHidden" class="muted">{{ tally.hiddenReason || '票数在结果固定前不公开。' }}</p>
        <div v-else class="tally-counts">
          <div><div class="muted">赞成</div><p class="stat" data-test="for">{{ tally.for }}</p></div>
          <div><div class="muted">反对</div><p class="stat" data-test="against">{{ tally.against }}</p></div>
          <div><div class="muted">弃权</div><p class="stat" data-test="abstain">{{ tally.abstain }}</p></div>
        </div>
        <p><strong>结果：</strong><span data-test="outcome">{{ outcomeText }}</span></p>
      </el-card>

      <template v-if="tally.status === 'OPEN'">
        <h2>现场投票</h2>
        <el-card shadow="never">
          <el-form label-position="top" aria-label="录入现场投票" class="inline-form">
            <el-form-item label="会议（进行中）" for="ballot-meeting">
              <el-select id="ballot-meeting" v-model="ballot.meetingId" placeholder="选择正在召开的会议" style="width: 260px">
                <el-option v-for="m in openMeetings" :key="m.id" :label="m.title + '（' + when(m.startsAt) + '）'" :value="m.id" />
              </el-select>
            </el-form-item>
            <el-form-item label="投票居民" for="ballot-resident">
              <el-select id="ballot-resident" v-model="ballot.residentId" filterable remote :remote-method="search"
                :loading="searching" placeholder="输入姓名或门牌搜索" style="width: 260px">
                <el-option v-for="r in found" :key="r.id" :label="r.name + '　' + (r.household ? r.household.building + r.household.unit : '')" :value="r.id" />
              </el-select>
            </el-form-item>
            <el-form-item label="选择">
              <el-radio-group v-model="ballot.choice" aria-label="选择">
                <el-radio v-for="(label, key) in choices" :key="key" :value="key">{{ label }}</el-radio>
              </el-radio-group>
            </el-form-item>
            <el-button type="primary" :loading="recording" data-test="record" @click="record">录入</el-button>
          </el-form>
          <p v-if="!openMeetings.length" class="muted">现在没有正在召开的会议：现场票只能在会议开始后 {{ openHours }} 小时内录入。</p>
          <el-alert v-if="ballotError" type="error" :title="ballotError" show-icon :closable="false" role="alert" />
          <el-alert v-if="slip" type="success" show-icon :closable="false" data-test="slip"
            :title="'已录入。请把改票码抄在投票人的回执单上：' + (slip.changeToken || '（本表决不允许改票）')" />
        </el-card>
      </template>

      <template v-if="isAdmin">
        <h2>现场投票记录</h2>
        <el-table :data="sessions" empty-text="还没有现场票" data-test="sessions">
          <el-table-column prop="meetingTitle" label="会议" min-width="160" />
          <el-table-column label="时间" width="170"><template #default="{ row }">{{ when(row.startsAt) }}</template></el-table-column>
          <el-table-column prop="recordedBy" label="录入人" width="120" />
          <el-table-column prop="counted" label="计入" width="80" />
          <el-table-column label="搁置" width="90">
            <template #default="{ row }"><span :class="{ overdue: row.setAside }">{{ row.setAside }}</span></template>
          </el-table-column>
        </el-table>
        <p class="help">“搁置”是为已经投过票的人再次录入的现场票：不计入，投票人自己的票有效。</p>

        <div class="page-actions" style="margin-top: 16px">
          <el-button v-if="tally.status !== 'CLOSED'" type="danger" data-test="close" @click="close">结束表决</el-button>
          <el-button data-test="verify" @click="verify">核验计票</el-button>
        </div>
      </template>
      <div v-else class="page-actions" style="margin-top: 16px">
        <el-button data-test="verify" @click="verify">核验计票</el-button>
      </div>

      <template v-if="verification">
        <h2>核验结果</h2>
        <el-alert :type="verification.ok ? 'success' : 'error'" show-icon :closable="false" data-test="verified"
          :title="verification.ok ? '全部核验通过' : '核验发现问题'" />
        <el-table :data="checks" data-test="checks">
          <el-table-column label="检查项" width="220" prop="name" />
          <el-table-column label="结果" width="90">
            <template #default="{ row }"><el-tag :type="row.ok ? 'success' : 'danger'">{{ row.ok ? '通过' : '未通过' }}</el-tag></template>
          </el-table-column>
          <el-table-column label="说明" prop="detail" min-width="240" />
        </el-table>
        <ul v-if="verification.problems.length" class="overdue">
          <li v-for="p in verification.problems" :key="p">{{ p }}</li>
        </ul>
        <h2>公布的名单</h2>
        <p class="help">承诺值名单按数值排序，每位投票人可用自己的回执核对本人的票已被计入；{{ vote.secret ? '无记名投票的选择名单按随机票号排列，无法与回执或投票人对应。' : '记名投票的选择名单显示打码的姓名。' }}</p>
        <p v-if="commitmentsProblem" class="muted">{{ commitmentsProblem }}</p>
        <el-table v-else :data="commitments" max-height="260" empty-text="暂未公布" data-test="commitments">
          <el-table-column label="承诺值（sha256）"><template #default="{ row }"><code>{{ row }}</code></template></el-table-column>
        </el-table>
        <p v-if="choicesProblem" class="muted">{{ choicesProblem }}</p>
        <el-table v-else :data="published" max-height="260" empty-text="暂未公布" data-test="choices">
          <el-table-column :label="vote.secret ? '票号' : '投票人'">
            <template #default="{ row }"><code v-if="row.ballotId">{{ row.ballotId }}</code><span v-else>{{ row.voter }}</span></template>
          </el-table-column>
          <el-table-column label="选择" width="100"><template #default="{ row }">{{ choices[row.choice] }}</template></el-table-column>
        </el-table>
      </template>
    </section>
    <el-alert v-else-if="error" type="error" :title="error" show-icon :closable="false" />`,
  setup() {
    const route = VueRouter.useRoute();
    const id = route.params.id;
    const vote = ref(null);
    const tally = ref(null);
    const title = ref("");
    const meetings = ref([]);
    const sessions = ref([]);
    const error = ref("");
    const found = ref([]);
    const searching = ref(false);
    const recording = ref(false);
    const ballot = reactive({ meetingId: "", residentId: "", choice: "FOR" });
    const ballotError = ref("");
    const slip = ref(null);
    const verification = ref(null);
    const commitments = ref([]);
    const published = ref([]);
    const commitmentsProblem = ref("");
    const choicesProblem = ref("");
    const isAdmin = computed(() => session.state.role === "admin");
    const narrow = window.matchMedia("(max-width: 900px)").matches;
    let stop = null;

    const openMeetings = computed(() => {
      const now = Date.now();
      return meetings.value.filter((m) => {
        const start = Date.parse(m.startsAt);
        return start <= now && now < start + MEETING_OPEN_HOURS * 3600 * 1000;
      });
    });

    async function loadSessions() {
      if (!isAdmin.value) return;
      const result = (await gql(SESSIONS, { id })).inPersonSessions;
      if (!problem(result, "PollingSessionList")) sessions.value = result.sessions;
    }

    async function load() {
      try {
        const data = await gql(VOTE, { id });
        const refused = problem(data.vote, "Vote");
        if (refused) {
          error.value = refused;
          return;
        }
        vote.value = data.vote;
        tally.value = data.vote.tally;
        meetings.value = data.meetings;
        const topic = (await gql(TOPIC, { id: data.vote.proposalId })).proposal;
        title.value = topic.__typename === "Proposal" ? topic.title : "议题";
        await loadSessions();
        stop = subscribe(LIVE, { id }, (live) => {
          tally.value = live.voteTally;
        }, (message) => {
          error.value = message;
        });
      } catch (e) {
        error.value = e.message;
      }
    }

    async function search(text) {
      if (!text.trim()) return;
      searching.value = true;
      try {
        found.value = (await gql(SEARCH, { s: text.trim() })).residents.edges.map((e) => e.node);
      } catch (e) {
        ballotError.value = e.message;
      }
      searching.value = false;
    }

    async function record() {
      ballotError.value = "";
      slip.value = null;
      if (!ballot.meetingId || !ballot.residentId) {
        ballotError.value = "请选择会议和投票居民。";
        return;
      }
      recording.value = true;
      try {
        const result = (await gql(RECORD, { v: id, c: ballot.choice, m: ballot.meetingId, r: ballot.residentId }))
          .recordInPersonBallot;
        const refused = problem(result, "BallotReceipt");
        if (refused) ballotError.value = refused;
        else {
          slip.value = result;
          ballot.residentId = "";
          await loadSessions();
        }
      } catch (e) {
        ballotError.value = e.message;
      }
      recording.value = false;
    }

    async function close() {
      try {
        await ElementPlus.ElMessageBox.confirm(
          "结束后结果即固定：不再接受任何投票和改票，票数和名单按规则公布，并封存核验摘要，之后无法撤销。截止时间之前不能结束。",
          "结束表决",
          { confirmButtonText: "结束并固定结果", cancelButtonText: "取消", type: "warning" },
        );
      } catch {
        return;
      }
      try {
        const result = (await gql(CLOSE, { v: id })).closeVote;
        const refused = problem(result, "Vote");
        if (refused) ElementPlus.ElMessage.error(refused);
        else {
          ElementPlus.ElMessage.success("表决已结束，结果已固定。");
          const data = await gql(VOTE, { id });
          vote.value = data.vote;
          tally.value = data.vote.tally;
        }
      } catch (e) {
        ElementPlus.ElMessage.error(e.message);
      }
    }

    async function verify() {
      try {
        const data = await gql(VERIFY, { v: id });
        const refused = problem(data.verifyTally, "VerifyResult");
        if (refused) {
          ElementPlus.ElMessage.error(refused);
          return;
        }
        verification.value = data.verifyTally;
        commitmentsProblem.value = problem(data.voteCommitments, "CommitmentList") || "";
        commitments.value = commitmentsProblem.value ? [] : data.voteCommitments.commitments;
        choicesProblem.value = problem(data.voteChoices, "ChoiceList") || "";
        published.value = choicesProblem.value ? [] : data.voteChoices.choices;
      } catch (e) {
        ElementPlus.ElMessage.error(e.message);
      }
    }

    onMounted(load);
    onBeforeUnmount(() => stop && stop());
    return {
      vote,
      tally,
      title,
      error,
      sessions,
      found,
      searching,
      recording,
      ballot,
      ballotError,
      slip,
      verification,
      commitments,
      published,
      commitmentsProblem,
      choicesProblem,
      isAdmin,
      narrow,
      openMeetings,
      openHours: MEETING_OPEN_HOURS,
      checks: computed(() => (verification.value ? checksOf(verification.value, tally.value) : [])),
      rule: computed(() => (vote.value ? ruleText(vote.value) : "")),
      outcomeText: computed(() => (tally.value ? outcome(tally.value) : "")),
      electorates: ELECTORATES,
      thresholds: THRESHOLDS,
      statuses: STATUSES,
      choices: CHOICES,
      when: dateTime,
      percent: (ratio) => `${(ratio * 100).toFixed(1)}%`,
      search,
      record,
      close,
      verify,
    };
  },
};
