import { defineStore } from 'pinia'
import { getMe, login as apiLogin, logout as apiLogout } from '@/api/auth'
import type { Me, MenuNode, UserDto } from '@/api/types'
import { getToken, removeToken, setToken } from '@/utils/auth'
import { hasPermiIn, hasRoleIn } from '@/utils/permission'

export const useUserStore = defineStore('user', {
  state: () => ({
    token: getToken() ?? '',
    user: null as UserDto | null,
    roles: [] as string[],
    permissions: [] as string[],
    dataScopes: [] as string[],
    menus: [] as MenuNode[],
    /** The password rules in force (from /api/auth/me); the defaults until it has loaded. */
    passwordPolicy: { minLength: 8, minClasses: 3 },
    mustChangePassword: false,
    loaded: false,
  }),
  getters: {
    displayName: (s) => s.user?.nickname || s.user?.username || '',
  },
  actions: {
    async login(username: string, password: string) {
      const res = await apiLogin(username.trim(), password)
      setToken(res.token)
      this.token = res.token
      this.mustChangePassword = res.mustChangePassword
      this.loaded = false
      return res
    },
    async fetchMe(): Promise<Me> {
      const me = await getMe()
      this.user = me.user
      this.roles = me.roles
      this.permissions = me.permissions
      this.dataScopes = me.dataScopes
      this.menus = me.menus
      if (me.passwordPolicy) this.passwordPolicy = me.passwordPolicy
      this.mustChangePassword = me.user.mustChangePassword
      this.loaded = true
      return me
    },
    async logout() {
      try {
        if (this.token) await apiLogout()
      } catch {
        /* the session may already be gone */
      }
      this.resetLocal()
    },
    resetLocal() {
      removeToken()
      this.$reset()
      this.token = ''
    },
    hasPermi(required: string | string[]) {
      return hasPermiIn(this.permissions, required)
    },
    hasRole(required: string | string[]) {
      return hasRoleIn(this.roles, required)
    },
  },
})
