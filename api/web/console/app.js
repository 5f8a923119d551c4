// The console's frame: sign-in, the menu of the pages the viewer's role may use, and the
// router. Pages are modules under pages/, listed in routes.js; each renders inside <main>.
import { session } from "./api.js";
import { GROUPS, routes } from "./routes.js";
import { ROLES } from "./words.js";

const { createApp, computed, ref } = Vue;
const { createRouter, createWebHashHistory, useRoute, useRouter } = VueRouter;

const LoginPage = {
  name: "LoginPage",
  template: `
    <main class="login">
      <h1>长廊 · 社区工作台</h1>
      <el-card shadow="never">
        <el-form label-position="top" @submit.prevent="submit" aria-label="登录">
          <el-form-item label="用户名" for="username">
            <el-input id="username" v-model="username" autocomplete="username" />
          </el-form-item>
          <el-form-item label="密码" for="password">
            <el-input id="password" v-model="password" type="password" show-password autocomplete="current-password" />
          </el-form-item>
          <el-alert v-if="error" type="error" :title="error" show-icon :closable="false" role="alert" />
          <el-button type="primary" native-type="submit" :loading="busy" class="login-submit">登录</el-button>
        </el-form>
        <p class="muted">居民请使用<a href="/">居民页面</a>，用网格员发给您的登录码登录。</p>
      </el-card>
    </main>`,
  setup() {
    const username = ref("");
    const password = ref("");
    const error = ref("");
    const busy = ref(false);
    const router = useRouter();
    const route = useRoute();
    async function submit() {
      error.value = "";
      busy.value = true;
      try {
        await session.login(username.value.trim(), password.value);
        if (session.role === "resident") {
          await session.logout();
          error.value = "这是居民账号，请在居民页面登录。";
          return;
        }
        router.replace(route.query.next || home());
      } catch (problem) {
        error.value = problem.message;
      } finally {
        busy.value = false;
      }
    }
    return { username, password, error, busy, submit };
  },
};

const ForbiddenPage = {
  name: "ForbiddenPage",
  template: `<el-result icon="warning" title="无权查看" sub-title="您的岗位不能使用这个页面。">
    <template #extra><el-button type="primary" @click="$router.push('/')">回到首页</el-button></template>
  </el-result>`,
};

const NotFoundPage = {
  name: "NotFoundPage",
  template: `<el-result icon="info" title="没有这个页面">
    <template #extra><el-button type="primary" @click="$router.push('/')">回到首页</el-button></template>
  </el-result>`,
};

function home() {
  const first = routes.find((r) => r.roles.includes(session.role));
  return first ? first.path : "/forbidden";
}

const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: "/login", component: LoginPage, meta: { bare: true, title: "登录" } },
    { path: "/forbidden", component: ForbiddenPage, meta: { title: "无权查看" } },
    ...routes.map((r) => ({
      path: r.path,
      component: r.component,
      meta: { title: r.title, roles: r.roles },
    })),
    { path: "/:rest(.*)*", component: NotFoundPage, meta: { title: "没有这个页面" } },
  ],
});

router.beforeEach(async (to) => {
  if (to.path === "/login") return true;
  if (!session.viewer) {
    try {
      await session.load();
    } catch {
      // The session is gone or the server unreachable: sign in again.
    }
  }
  if (!session.viewer) return { path: "/login", query: to.fullPath === "/" ? {} : { next: to.fullPath } };
  const roles = to.meta.roles;
  if (roles && !roles.includes(session.role)) {
    return to.path === "/" ? { path: home(), replace: true } : { path: "/forbidden" };
  }
  return true;
});

router.afterEach((to) => {
  document.title = `${to.meta.title || "社区工作台"} · 长廊`;
});

const Shell = {
  name: "ConsoleShell",
  template: `
    <router-view v-if="bare" />
    <el-container v-else class="layout">
      <el-aside :width="narrow ? '150px' : '210px'" class="layout-aside">
        <nav aria-label="主菜单">
          <p class="brand">长廊 · 社区工作台</p>
          <p class="community-name" v-if="viewer">{{ viewer.communityName }}</p>
          <template v-for="group in menu" :key="group.name">
            <h2 class="menu-group">{{ group.name }}</h2>
            <el-menu :default-active="active" router :aria-label="group.name">
              <el-menu-item v-for="item in group.items" :key="item.path" :index="item.path">
                {{ item.title }}
              </el-menu-item>
            </el-menu>
          </template>
        </nav>
      </el-aside>
      <el-container>
        <el-header class="layout-header" role="banner">
          <h1>{{ title }}</h1>
          <div class="who" v-if="viewer">
            <span>{{ viewer.displayName }}</span>
            <span class="role">{{ roleName }}</span>
            <el-button @click="logout" text>退出登录</el-button>
          </div>
        </el-header>
        <el-main class="layout-main">
          <router-view :key="$route.fullPath" />
        </el-main>
      </el-container>
    </el-container>`,
  setup() {
    const route = useRoute();
    const router = useRouter();
    const narrow = ref(window.matchMedia("(max-width: 900px)").matches);
    window.matchMedia("(max-width: 900px)").addEventListener("change", (e) => {
      narrow.value = e.matches;
    });
    const menu = computed(() =>
      GROUPS.map((name) => ({
        name,
        items: routes.filter((r) => r.group === name && r.roles.includes(session.state.role) && !r.hidden),
      })).filter((g) => g.items.length),
    );
    async function logout() {
      await session.logout();
      router.replace("/login");
    }
    return {
      bare: computed(() => Boolean(route.meta.bare)),
      title: computed(() => route.meta.title || ""),
      active: computed(() => "/" + (route.path.split("/")[1] || "")),
      viewer: computed(() => session.state.viewer),
      roleName: computed(() => ROLES[session.state.role] || ""),
      menu,
      narrow,
      logout,
    };
  },
};

createApp(Shell)
  .use(router)
  .use(ElementPlus, { locale: ElementPlusLocaleZhCn })
  .mount("#app");
