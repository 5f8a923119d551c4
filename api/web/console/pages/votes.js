// 表决: the community's votes with their rule and state, and 发起表决 — a topic put to a
// vote under a rule whose every choice is explained beside it (putToVote fixes the rule).
import { ERROR_FIELDS, gql, problem, session } from "../api.js";
import { dateTime } from "../words.js";
import { ELECTORATES, STATUSES, THRESHOLDS, ruleText } from "../vote-words.js";

const { ref, reactive, computed, onMounted } = Vue;

const VOTE_FIELDS = `id proposalId electorate gridId panelId electorateSize opensAt closesAt
  quorumBallots quorumPercent threshold secret allowChange hideResultsUntilClose status
  tally { ballots turnout passed final quorumMet countsHidden }`;

const VOTES = `{ votes { ${VOTE_FIELDS} } grids { id name level } panels { id name members { accountId } } }`;

const PROPOSALS = `query($after: String) { proposals(first: 100, after: $after) {
  edges { node { id title status } } pageInfo { hasNextPage endCursor } } }`;

const PUT = `mutation($p: UUID!, $rule: VoteRuleInput!) { putToVote(proposalId: $p, rule: $rule) {
  __typename ... on Vote { id } ${ERROR_FIELDS} } }`;

const VOTABLE = ["ACCEPTED", "DELIBERATED"];

async function allProposals() {
  const found = [];
  let after = null;
  for (let page = 0; page < 20; page++) {
    const data = await gql(PROPOSALS, { after });
    found.push(...data.proposals.edges.map((e) => e.node));
    if (!data.proposals.pageInfo.hasNextPage) break;
    after = data.proposals.pageInfo.endCursor;
  }
  return found;
}

function blankRule() {
  const closes = new Date(Date.now() + 7 * 24 * 3600 * 1000);
  closes.setHours(20, 0, 0, 0);
  return {
    proposalId: "",
    electorate: "ADULT_RESIDENTS",
    gridId: "",
    panelId: "",
    secret: true,
    threshold: "SIMPLE_MAJORITY",
    quorumPercent: 0,
    quorumBallots: 0,
    allowChange: false,
    hideResultsUntilClose: false,
    opensAt: null,
    closesAt: closes,
  };
}

export default {
  name: "VotesPage",
  template: `
    <section>
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" />
      <div class="page-actions">
        <el-radio-group v-model="shown" aria-label="显示哪些表决">
          <el-radio-button value="open">进行中</el-radio-button>
          <el-radio-button value="closed">已结束</el-radio-button>
          <el-radio-button value="all">全部</el-radio-button>
        </el-radio-group>
        <el-button v-if="mayCall" type="primary" data-test="new-vote" @click="openForm">发起表决</el-button>
      </div>
      <el-table :data="rows" v-loading="loading" empty-text="没有表决" data-test="votes">
        <el-table-column label="议题" min-width="220">
          <template #default="{ row }">
            <router-link :to="'/votes/' + row.id">{{ titleOf(row.proposalId) }}</router-link>
          </template>
        </el-table-column>
        <el-table-column label="规则" min-width="240">
          <template #default="{ row }">{{ rule(row) }}</template>
        </el-table-column>
        <el-table-column label="状态" width="100">
          <template #default="{ row }">
            <el-tag :type="statuses[row.status].type">{{ statuses[row.status].label }}</el-tag>
          </template>
        </el-table-column>
        <el-table-column label="投票情况" width="150">
          <template #default="{ row }">{{ row.tally.ballots }} / {{ row.electorateSize }}</template>
        </el-table-column>
        <el-table-column label="截止时间" width="170">
          <template #default="{ row }">{{ when(row.closesAt) }}</template>
        </el-table-column>
      </el-table>

      <el-dialog v-model="formOpen" title="发起表决" width="min(760px, 96vw)" destroy-on-close>
        <el-form label-position="top" :model="form" aria-label="表决规则">
          <el-form-item label="议题" for="vote-topic">
            <el-select id="vote-topic" v-model="form.proposalId" filterable placeholder="选择已受理或已协商的议题" style="width: 100%">
              <el-option v-for="p in votable" :key="p.id" :label="p.title" :value="p.id" />
            </el-select>
            <p class="help">只有已受理（上了议程）或已协商的议题可以表决；一个议题同一时间只能有一场表决。</p>
          </el-form-item>
          <el-form-item label="谁来投票">
            <el-radio-group v-model="form.electorate" aria-label="谁来投票" @change="electorateChanged">
              <el-radio v-for="(e, key) in electorates" :key="key" :value="key">{{ e.label }}</el-radio>
            </el-radio-group>
            <p class="help" data-test="electorate-help">{{ electorates[form.electorate].help }}</p>
          </el-form-item>
          <el-form-item v-if="form.electorate !== 'PANEL'" label="范围" for="vote-grid">
            <el-select id="vote-grid" v-model="form.gridId" clearable placeholder="全社区" style="width: 100%">
              <el-option v-for="g in grids" :key="g.id" :label="g.name" :value="g.id" />
            </el-select>
            <p class="help">不选即全社区；选一个网格，则只有该网格及其下微网格的{{ form.electorate === 'HOUSEHOLDS' ? '住户' : '居民' }}投票。</p>
          </el-form-item>
          <el-form-item v-else label="议事小组" for="vote-panel">
            <el-select id="vote-panel" v-model="form.panelId" placeholder="选择小组" style="width: 100%">
              <el-option v-for="p in panels" :key="p.id" :label="p.name + '（' + p.members.length + '人）'" :value="p.id" />
            </el-select>
          </el-form-item>
          <el-form-item label="记名还是无记名">
            <el-radio-group v-model="form.secret" aria-label="记名还是无记名">
              <el-radio :value="true">无记名投票</el-radio>
              <el-radio :value="false">记名投票</el-radio>
            </el-radio-group>
            <p class="help" v-if="form.secret">谁投了什么票任何人都查不到，包括工作人员；投票期间只显示投票人数，结束后才公布赞成、反对、弃权票数。每位投票人可凭回执核对自己的票已被计入。</p>
            <p class="help" v-else>结束后公布每位投票人（姓名打码，如 张*）和他的选择；投票期间票数实时可见（除非下面选择了结束前不公开）。</p>
          </el-form-item>
          <el-form-item label="通过标准">
            <el-radio-group v-model="form.threshold" aria-label="通过标准">
              <el-radio v-for="(t, key) in thresholds" :key="key" :value="key"
                :disabled="key === 'UNANIMITY' && form.electorate !== 'PANEL'">{{ t.label }}</el-radio>
            </el-radio-group>
            <p class="help">{{ thresholds[form.threshold].help }}</p>
          </el-form-item>
          <el-form-item label="最低票数（法定人数）">
            <div class="quorum">
              <label for="quorum-percent">不少于应投人数的</label>
              <el-input-number id="quorum-percent" v-model="form.quorumPercent" :min="0" :max="100" controls-position="right" />
              <span>%，且不少于</span>
              <el-input-number id="quorum-ballots" aria-label="最低票数" v-model="form.quorumBallots" :min="0" :max="1000000" controls-position="right" />
              <span>票</span>
            </div>
            <p class="help">投出的票（含弃权）达不到这两个数，表决不通过，无论赞成多少。填 0 表示不设要求。应投人数在发起时按规则统计并固定。</p>
          </el-form-item>
          <el-form-item label="开始与截止">
            <div class="quorum">
              <el-date-picker v-model="form.opensAt" type="datetime" placeholder="现在开始" aria-label="开始时间" />
              <span>至</span>
              <el-date-picker v-model="form.closesAt" type="datetime" placeholder="截止时间" aria-label="截止时间" data-test="closes-at" />
            </div>
            <p class="help">截止后不再接受投票；网格员离线记录的现场票可在计票期内补传，计票期结束后结果才固定。规则发起后不能修改。</p>
          </el-form-item>
          <el-form-item label="其他">
            <div>
              <el-checkbox v-model="form.allowChange">截止前允许改票</el-checkbox>
              <p class="help">投票人可在截止前改投；无记名投票改票要凭首次投票时给出的改票码。</p>
              <el-checkbox v-model="form.hideResultsUntilClose">结束前不公开票数</el-checkbox>
              <p class="help">记名投票也只显示投票人数，避免后投的人看风向。</p>
            </div>
          </el-form-item>
          <el-alert v-if="formError" type="error" :title="formError" show-icon :closable="false" role="alert" />
        </el-form>
        <template #footer>
          <el-button @click="formOpen = false">取消</el-button>
          <el-button type="primary" :loading="busy" data-test="put-to-vote" @click="submit">发起表决</el-button>
        </template>
      </el-dialog>
    </section>`,
  setup() {
    const votes = ref([]);
    const proposals = ref([]);
    const grids = ref([]);
    const panels = ref([]);
    const loading = ref(true);
    const error = ref("");
    const shown = ref("open");
    const formOpen = ref(false);
    const formError = ref("");
    const busy = ref(false);
    const form = reactive(blankRule());
    const router = VueRouter.useRouter();

    const titles = computed(() => Object.fromEntries(proposals.value.map((p) => [p.id, p.title])));
    const rows = computed(() =>
      votes.value.filter((v) =>
        shown.value === "all" ? true : shown.value === "closed" ? v.status === "CLOSED" : v.status !== "CLOSED",
      ),
    );
    const running = computed(() => new Set(votes.value.filter((v) => v.status !== "CLOSED").map((v) => v.proposalId)));
    const votable = computed(() =>
      proposals.value.filter((p) => VOTABLE.includes(p.status) && !running.value.has(p.id)),
    );

    async function load() {
      loading.value = true;
      try {
        const [data, found] = await Promise.all([gql(VOTES), allProposals()]);
        votes.value = data.votes;
        grids.value = data.grids;
        panels.value = data.panels;
        proposals.value = found;
      } catch (e) {
        error.value = e.message;
      }
      loading.value = false;
    }

    function openForm() {
      Object.assign(form, blankRule());
      formError.value = "";
      formOpen.value = true;
    }

    function electorateChanged() {
      if (form.electorate !== "PANEL" && form.threshold === "UNANIMITY") form.threshold = "SIMPLE_MAJORITY";
    }

    async function submit() {
      formError.value = "";
      if (!form.proposalId) {
        formError.value = "请选择要表决的议题。";
        return;
      }
      if (!form.closesAt) {
        formError.value = "请选择截止时间。";
        return;
      }
      const panel = form.electorate === "PANEL";
      const rule = {
        electorate: form.electorate,
        closesAt: new Date(form.closesAt).toISOString(),
        threshold: form.threshold,
        secret: form.secret,
        opensAt: form.opensAt ? new Date(form.opensAt).toISOString() : null,
        gridId: !panel && form.gridId ? form.gridId : null,
        panelId: panel ? form.panelId || null : null,
        quorumBallots: form.quorumBallots || 0,
        quorumPercent: form.quorumPercent || 0,
        allowChange: form.allowChange,
        hideResultsUntilClose: form.hideResultsUntilClose,
      };
      busy.value = true;
      try {
        const result = (await gql(PUT, { p: form.proposalId, rule })).putToVote;
        const refused = problem(result, "Vote");
        if (refused) formError.value = refused;
        else {
          formOpen.value = false;
          router.push(`/votes/${result.id}`);
        }
      } catch (e) {
        formError.value = e.message;
      }
      busy.value = false;
    }

    onMounted(load);
    return {
      rows,
      grids,
      panels,
      votable,
      loading,
      error,
      shown,
      form,
      formOpen,
      formError,
      busy,
      electorates: ELECTORATES,
      thresholds: THRESHOLDS,
      statuses: STATUSES,
      mayCall: computed(() => ["admin", "staff"].includes(session.state.role)),
      titleOf: (id) => titles.value[id] || "（议题）",
      rule: ruleText,
      when: dateTime,
      openForm,
      submit,
      electorateChanged,
    };
  },
};
