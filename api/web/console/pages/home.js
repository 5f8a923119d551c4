// 工作概览: what needs attention today, and for a community with no grid yet, the way in.
import { gql } from "../api.js";
import { dateTime } from "../words.js";

const { ref, onMounted } = Vue;

const OVERVIEW = `{
  grids { id }
  coverage { households covered ratio }
  overdueQueue { proposal { id } }
  meetings { id title kind startsAt place }
}`;

export default {
  name: "HomePage",
  template: `
    <section>
      <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" />
      <el-card v-if="loaded && empty" class="first-run" shadow="never">
        <template #header><strong>欢迎使用长廊：先把社区搭起来</strong></template>
        <p>社区里还没有网格。按顺序完成：网格 → 工作人员与岗位 → 居民花名册，之后就能安排联系人、召开议事会。</p>
        <el-button type="primary" @click="$router.push('/setup')">开始设置</el-button>
      </el-card>
      <div v-if="loaded" class="cards">
        <el-card shadow="never">
          <div class="muted">住户</div>
          <p class="stat" data-test="households">{{ coverage.households }}</p>
          <div class="muted">已联系 {{ coverage.covered }} 户（{{ percent(coverage.ratio) }}）</div>
        </el-card>
        <el-card shadow="never">
          <div class="muted">逾期督办</div>
          <p class="stat" data-test="overdue">{{ overdue }}</p>
          <div class="muted">件待督办</div>
        </el-card>
        <el-card shadow="never">
          <div class="muted">即将召开的会议</div>
          <p class="stat">{{ upcoming.length }}</p>
          <div class="muted" v-if="upcoming.length">最近：{{ upcoming[0].title }}，{{ when(upcoming[0].startsAt) }}</div>
        </el-card>
      </div>
    </section>`,
  setup() {
    const loaded = ref(false);
    const empty = ref(false);
    const error = ref("");
    const coverage = ref({ households: 0, covered: 0, ratio: 0 });
    const overdue = ref(0);
    const upcoming = ref([]);
    onMounted(async () => {
      try {
        const data = await gql(OVERVIEW);
        empty.value = data.grids.length === 0;
        coverage.value = data.coverage;
        overdue.value = data.overdueQueue.length;
        const now = Date.now();
        upcoming.value = data.meetings
          .filter((m) => Date.parse(m.startsAt) >= now)
          .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
      } catch (problem) {
        error.value = problem.message;
      }
      loaded.value = true;
    });
    return {
      loaded,
      empty,
      error,
      coverage,
      overdue,
      upcoming,
      when: dateTime,
      percent: (ratio) => `${Math.round(ratio * 100)}%`,
    };
  },
};
