import { ElMessage } from 'element-plus'
import { installMenuRoutes, router } from '@/router'
import { useUserStore } from '@/store/user'
import { useTagsViewStore } from '@/store/tagsView'
import { authHandlers } from '@/utils/request'
import { removeToken } from '@/utils/auth'

export function setupRouterGuards() {
  // Router-aware versions of what the request wrapper does on 401 and password_change_required.
  authHandlers.unauthorized = () => {
    const user = useUserStore()
    user.resetLocal()
    const cur = router.currentRoute.value
    if (cur.name !== 'Login') router.replace({ path: '/login', query: { redirect: cur.fullPath } })
  }
  authHandlers.passwordChangeRequired = () => {
    useUserStore().mustChangePassword = true
    if (router.currentRoute.value.name !== 'ChangePassword') router.replace('/change-password')
  }

  router.beforeEach(async (to) => {
    const user = useUserStore()
    if (!user.token) {
      return to.meta.public ? true : { path: '/login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
    }
    if (to.name === 'Login') return { path: '/' }
    if (!user.loaded) {
      try {
        const me = await user.fetchMe()
        installMenuRoutes(me.menus)
      } catch (e) {
        if ((e as { status?: number }).status !== 401) ElMessage.error((e as Error).message)
        removeToken()
        user.resetLocal()
        return { path: '/login', query: { redirect: to.fullPath } }
      }
      if (user.mustChangePassword && to.name !== 'ChangePassword') return { path: '/change-password' }
      return { path: to.path, query: to.query, hash: to.hash, replace: true }
    }
    if (user.mustChangePassword && to.name !== 'ChangePassword') return { path: '/change-password' }
    return true
  })

  router.afterEach((to) => {
    if (to.meta.public || to.name === 'ChangePassword' || to.name === 'NotFound') return
    const title = (to.meta.titleKey as string) || (to.meta.title as string) || to.path
    useTagsViewStore().add({ path: to.path, fullPath: to.fullPath, title, text: to.meta.title as string | undefined, affix: !!to.meta.affix })
  })
}
