import { createRouter, createWebHistory, type RouteRecordRaw, type RouteComponent } from 'vue-router'
import type { MenuNode } from '@/api/types'
import Layout from '@/layout/index.vue'

/** Every page component, each loaded lazily in its own chunk. */
const views = import.meta.glob('../views/**/*.vue')

export function resolveView(component: string | null | undefined): () => Promise<RouteComponent> {
  const key = `../views/${component}.vue`
  const loader = component ? views[key] : undefined
  return (loader ?? views['../views/error/pending.vue']) as () => Promise<RouteComponent>
}

export const constantRoutes: RouteRecordRaw[] = [
  { path: '/login', name: 'Login', component: () => import('@/views/login/index.vue'), meta: { public: true } },
  {
    // The printable risk notification card (风险告知卡): no console chrome, opened from the QR code.
    path: '/risk/card/:id(\\d+)',
    name: 'RiskCard',
    component: () => import('@/views/risk/card/index.vue'),
    meta: { titleKey: 'route.riskCard' },
  },
  // 态势大屏: a 1920×1080 wall display without the console chrome (opened from 态势总览).
  { path: '/screen', name: 'SituationScreen', component: () => import('@/views/situation/screen/index.vue'), meta: { titleKey: 'route.screen' } },
  { path: '/change-password', name: 'ChangePassword', component: () => import('@/views/login/change-password.vue'), meta: { titleKey: 'route.changePwd' } },
  {
    path: '/',
    name: 'Root',
    component: Layout,
    redirect: '/index',
    children: [
      { path: 'index', name: 'Home', component: () => import('@/views/home/index.vue'), meta: { titleKey: 'route.home', affix: true } },
      { path: 'profile', name: 'Profile', component: () => import('@/views/profile/index.vue'), meta: { titleKey: 'route.profile' } },
      {
        path: 'enterprise/dossier/:id(\\d+)',
        name: 'EnterpriseDossier',
        component: () => import('@/views/enterprise/dossier/index.vue'),
        meta: { titleKey: 'route.dossier', activeMenu: '/enterprise/list', parentKey: 'menu.enterprise' },
      },
      {
        path: 'monitoring/trend/:id(\\d+)',
        name: 'SensorTrend',
        component: () => import('@/views/monitoring/trend/index.vue'),
        meta: { titleKey: 'route.trend', activeMenu: '/monitoring/sensor', parentKey: 'menu.monitoring' },
      },
      {
        path: 'risk/point/:id(\\d+)',
        name: 'RiskPointDetail',
        component: () => import('@/views/risk/point/detail.vue'),
        meta: { titleKey: 'route.riskPoint', activeMenu: '/risk/point', parentKey: 'menu.risk' },
      },
      {
        path: 'hidden-danger/detail/:id(\\d+)',
        name: 'HiddenDangerDetail',
        component: () => import('@/views/hidden-danger/detail/index.vue'),
        meta: { titleKey: 'route.hiddenDanger', activeMenu: '/hidden-danger/record', parentKey: 'menu.hidden-danger' },
      },
      {
        path: 'hidden-danger/task/:id(\\d+)',
        name: 'InspectionTaskRun',
        component: () => import('@/views/hidden-danger/task/run.vue'),
        meta: { titleKey: 'route.inspectionTask', activeMenu: '/hidden-danger/task', parentKey: 'menu.hidden-danger' },
      },
    ],
  },
]

const notFound: RouteRecordRaw = { path: '/:pathMatch(.*)*', name: 'NotFound', component: () => import('@/views/error/404.vue') }

export const router = createRouter({
  history: createWebHistory('/'),
  routes: [...constantRoutes],
  scrollBehavior: () => ({ top: 0 }),
})

/** Turn the `/api/auth/me` menu tree into child routes of the layout. */
export function menusToRoutes(menus: MenuNode[], parentPath = ''): RouteRecordRaw[] {
  const out: RouteRecordRaw[] = []
  for (const m of menus) {
    const seg = (m.path ?? '').replace(/^\/+|\/+$/g, '')
    const full = parentPath ? `${parentPath}/${seg}` : seg
    if (m.menuType === 'C' && seg) {
      out.push({
        path: full,
        name: 'menu-' + m.id,
        component: resolveView(m.component),
        meta: { title: m.name, titleKey: 'menu.' + full, parentKey: parentPath ? 'menu.' + parentPath : undefined, perms: m.perms },
      })
    }
    if (m.children?.length) out.push(...menusToRoutes(m.children, full))
  }
  return out
}

let added: Array<() => void> = []
export function installMenuRoutes(menus: MenuNode[]) {
  added.forEach((rm) => rm())
  added = []
  for (const r of menusToRoutes(menus)) added.push(router.addRoute('Root', r))
  added.push(router.addRoute(notFound))
}
