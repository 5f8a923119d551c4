// 议题: the community's topics by status, searched and filtered; a topic opens in a drawer
// with its whole history and the steps staff may take at its status (the server decides).
import { ERROR_FIELDS, gql, problem, session } from "../api.js";
import { CATEGORIES, SOURCES, STATUSES, gridOptions, statusLabel, statusType } from "../council-words.js";
import { minute } from "../council-words.js";
import { date } from "../words.js";
import TopicActions from "../components/topic-actions.js";

const { ref, reactive, computed, onMounted } = Vue;
const { useRoute } = VueRouter;

const PAGE = 20;
const LIST = `query($first: Int, $after: String, $filter: ProposalFilter) {
  proposals(first: $first, after: $after, filter: $filter) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id title category status submittedOn supportCount grid { name } } } } }`;

const DETAIL = `query($id: UUID!) { proposal(id: $id) { __typename ${ERROR_FIELDS}
  ... on Proposal { id title description category source status submittedOn anonymous raiserName
    supportCount mergedIntoId grid { name } attachments { url }
    history { fromStatus toStatus at reason actorName }
    resolution { solution contactName deadline meetingId }
    progressReports { text percentDone at photos { url } }
    mergedFrom { id title }
    ratingWindow { opensAt closesAt ratingCount eligibleCount open decidedAt outcome average }
    similar { score proposal { id title status } } } } }`;

const STEP_NAMES = {
  ACCEPTED: "列入议程",
  DECLINED: "不予采纳",
  MERGED: "并入其他议题",
  DELIBERATED: "议事会议定",
  IN_PROGRESS: "落实中",
  REPORTED: "汇报会汇报",
  CLOSED: "销号",
  WITHDRAWN: "撤回",
};

const OUTCOMES = {
  KEPT_CLOSED: "评价达标，维持销号",
  REOPENED: "评价低于标准，重新落实",
  TOO_FEW_RATINGS: "评价人数不足，维持销号",
};

// Every step of a topic as one time line: its changes of status, progress, rating rounds.
function timeline(topic) {
  const events = topic.history.map((h) => ({
    at: h.at,
    title: !h.fromStatus
      ? "提出议题"
      : h.fromStatus === h.toStatus
        ? `决定：${statusLabel(h.toStatus)}（状态不变）`
        : STEP_NAMES[h.toStatus] || statusLabel(h.toStatus),
    text: h.reason,
    who: h.actorName,
    type: h.fromStatus ? statusType(h.toStatus) : "info",
  }));
  for (const report of topic.progressReports) {
    events.push({
      at: report.at,
      title: `进展汇报：完成 ${report.percentDone}%`,
      text: report.text,
      photos: report.photos,
      type: "warning",
    });
  }
  const w = topic.ratingWindow;
  if (w) {
    events.push({
      at: w.opensAt,
      title: "居民评价（评菜）开始",
      text: `截至 ${minute(w.closesAt)}；已有 ${w.ratingCount} / ${w.eligibleCount} 人评价`,
      type: "primary",
    });
    if (w.decidedAt) {
      const average = w.average == null ? "" : `，平均 ${w.average.toFixed(1)} 分`;
      events.push({
        at: w.decidedAt,
        title: "评价结果",
        text: `${OUTCOMES[w.outcome] || ""}${average}`,
        type: w.outcome === "REOPENED" ? "danger" : "success",
      });
    }
  }
  return events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

export default {
  name: "TopicsPage",
  components: { TopicActions },
  template: `
    <section class="topics">
      <el-tabs v-model="filters.status" @tab-change="search" aria-label="按状态查看">
        <el-tab-pane label="全部" name="ALL" />
        <el-tab-pane v-for="(s, key) in statuses" :key="key" :label="s.label" :name="key" />
      </el-tabs>
      <el-form class="filters" :inline="true" @submit.prevent="search" aria-label="筛选议题">
        <el-form-item label="搜索" for="topic-search">
          <el-input id="topic-search" v-model="filters.search" clearable maxlength="50"
            placeholder="标题或内容" @clear="search" style="width: 200px" />
        </el-form-item>
        <el-form-item label="类别" for="topic-category">
          <el-select id="topic-category" v-model="filters.category" clearable placeholder="全部类别"
            aria-label="类别" @change="search" style="width: 130px">
            <el-option v-for="(label, key) in categories" :key="key" :label="label" :value="key" />
          </el-select>
        </el-form-item>
        <el-form-item label="网格" for="topic-grid">
          <el-select id="topic-grid" v-model="filters.gridId" clearable filterable placeholder="全部网格"
            aria-label="网格" @change="search" style="width: 200px">
            <el-option v-for="g in grids" :key="g.value" :label="g.label" :value="g.value" />
          </el-select>
        </el-form-item>
        <el-form-item>
          <el-button type="primary" native-type="submit">查询</el-button>
        </el-form-item>
      </el-form>
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
      <p class="muted" data-test="topic-count">共 {{ total }} 个议题</p>
      <el-table :data="rows" v-loading="loading" row-key="id" empty-text="没有符合条件的议题"
        aria-label="议题列表" @row-click="(row) => open(row.id)" class="clickable">
        <el-table-column label="议题" min-width="260">
          <template #default="{ row }">
            <el-button link type="primary" class="wrap-link" @click.stop="open(row.id)">{{ row.title }}</el-button>
          </template>
        </el-table-column>
        <el-table-column label="状态" width="110">
          <template #default="{ row }"><el-tag :type="statusType(row.status)">{{ statusLabel(row.status) }}</el-tag></template>
        </el-table-column>
        <el-table-column label="类别" width="100">
          <template #default="{ row }">{{ categories[row.category] }}</template>
        </el-table-column>
        <el-table-column label="网格" width="130">
          <template #default="{ row }">{{ row.grid ? row.grid.name : "全社区" }}</template>
        </el-table-column>
        <el-table-column label="附议" width="70" prop="supportCount" />
        <el-table-column label="提出日期" width="110">
          <template #default="{ row }">{{ day(row.submittedOn) }}</template>
        </el-table-column>
      </el-table>
      <div class="more" v-if="next">
        <el-button @click="more" :loading="loading">加载更多</el-button>
      </div>

      <el-drawer v-model="drawer" :size="drawerSize" :title="topic ? topic.title : '议题详情'" destroy-on-close>
        <el-alert v-if="detailError" type="error" :title="detailError" show-icon :closable="false" role="alert" />
        <div v-if="topic" class="topic-detail" data-test="topic-detail">
          <el-descriptions :column="1" border size="small">
            <el-descriptions-item label="状态">
              <el-tag :type="statusType(topic.status)">{{ statusLabel(topic.status) }}</el-tag>
            </el-descriptions-item>
            <el-descriptions-item label="类别">{{ categories[topic.category] }}</el-descriptions-item>
            <el-descriptions-item label="来源">{{ sources[topic.source] }}</el-descriptions-item>
            <el-descriptions-item label="网格">{{ topic.grid ? topic.grid.name : "全社区" }}</el-descriptions-item>
            <el-descriptions-item label="提出人">{{ topic.anonymous ? "匿名（民主决议箱）" : (topic.raiserName || "—") }}</el-descriptions-item>
            <el-descriptions-item label="附议人数">{{ topic.supportCount }}</el-descriptions-item>
            <el-descriptions-item label="内容">{{ topic.description || "—" }}</el-descriptions-item>
          </el-descriptions>

          <template v-if="topic.resolution">
            <h2>议定事项</h2>
            <el-descriptions :column="1" border size="small" data-test="resolution">
              <el-descriptions-item label="解决办法">{{ topic.resolution.solution }}</el-descriptions-item>
              <el-descriptions-item label="联系人">{{ topic.resolution.contactName }}</el-descriptions-item>
              <el-descriptions-item label="完成期限">{{ day(topic.resolution.deadline) }}</el-descriptions-item>
            </el-descriptions>
          </template>

          <template v-if="topic.mergedFrom.length">
            <h2>已并入本议题</h2>
            <ul><li v-for="m in topic.mergedFrom" :key="m.id">
              <el-button link type="primary" class="wrap-link" @click="open(m.id)">{{ m.title }}</el-button></li></ul>
          </template>
          <p v-if="topic.mergedIntoId">
            本议题已并入：<el-button link type="primary" @click="open(topic.mergedIntoId)">查看合并后的议题</el-button>
          </p>

          <h2>办理经过</h2>
          <el-timeline aria-label="办理经过">
            <el-timeline-item v-for="(e, i) in events" :key="i" :timestamp="when(e.at)" :type="e.type" placement="top">
              <strong>{{ e.title }}</strong>
              <span v-if="e.who" class="muted">（{{ e.who }}）</span>
              <p v-if="e.text" class="event-text">{{ e.text }}</p>
              <p v-if="e.photos && e.photos.length" class="muted">照片 {{ e.photos.length }} 张</p>
            </el-timeline-item>
          </el-timeline>

          <topic-actions v-if="canAct" :topic="topic" @changed="changed" />
        </div>
      </el-drawer>
    </section>`,
  setup() {
    const route = useRoute();
    const filters = reactive({ status: "ALL", search: "", category: "", gridId: "" });
    const rows = ref([]);
    const total = ref(0);
    const next = ref(null);
    const loading = ref(false);
    const error = ref("");
    const grids = ref([]);
    const drawer = ref(false);
    const topic = ref(null);
    const detailError = ref("");
    const wide = window.matchMedia("(min-width: 1100px)").matches;

    function filter() {
      const f = {};
      if (filters.status !== "ALL") f.status = filters.status;
      if (filters.search.trim()) f.search = filters.search.trim();
      if (filters.category) f.category = filters.category;
      if (filters.gridId) f.gridId = filters.gridId;
      return f;
    }

    async function load(after) {
      loading.value = true;
      error.value = "";
      try {
        const data = await gql(LIST, { first: PAGE, after, filter: filter() });
        const page = data.proposals;
        const nodes = page.edges.map((e) => e.node);
        rows.value = after ? rows.value.concat(nodes) : nodes;
        total.value = page.totalCount;
        next.value = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } catch (problem_) {
        error.value = problem_.message;
      } finally {
        loading.value = false;
      }
    }

    async function open(id) {
      drawer.value = true;
      detailError.value = "";
      try {
        const data = await gql(DETAIL, { id });
        const message = problem(data.proposal, "Proposal");
        if (message) {
          detailError.value = message;
          topic.value = null;
        } else topic.value = data.proposal;
      } catch (problem_) {
        detailError.value = problem_.message;
      }
    }

    async function changed(id) {
      await open(id || topic.value.id);
      await load(null);
    }

    onMounted(async () => {
      try {
        const data = await gql("{ grids { id name parentId } }");
        grids.value = gridOptions(data.grids);
      } catch (problem_) {
        error.value = problem_.message;
      }
      // Grid staff start on the grid their first post holds; the admin on the community.
      const posts = (session.viewer && session.viewer.posts) || [];
      if (session.role === "staff" && posts.length) filters.gridId = posts[0].gridId;
      if (route.query.status && STATUSES[route.query.status]) filters.status = route.query.status;
      await load(null);
      if (route.query.open) await open(String(route.query.open));
    });

    return {
      filters,
      rows,
      total,
      next,
      loading,
      error,
      grids,
      drawer,
      topic,
      detailError,
      drawerSize: wide ? "46%" : "88%",
      events: computed(() => (topic.value ? timeline(topic.value) : [])),
      canAct: computed(() => ["admin", "staff"].includes(session.role)),
      statuses: STATUSES,
      categories: CATEGORIES,
      sources: SOURCES,
      statusLabel,
      statusType,
      day: date,
      when: minute,
      search: () => load(null),
      more: () => load(next.value),
      open,
      changed,
    };
  },
};
