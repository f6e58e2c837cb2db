import { defineStore } from 'pinia'

export type Lang = 'zh-CN' | 'en'
const KEY = 'anjian-settings'

function load(): { lang: Lang; dark: boolean; sidebarCollapsed: boolean } {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) ?? '{}')
    return { lang: s.lang === 'en' ? 'en' : 'zh-CN', dark: !!s.dark, sidebarCollapsed: !!s.sidebarCollapsed }
  } catch {
    return { lang: 'zh-CN', dark: false, sidebarCollapsed: false }
  }
}

export const useSettingsStore = defineStore('settings', {
  state: () => ({ ...load(), isMobile: false, drawerOpen: false }),
  actions: {
    persist() {
      localStorage.setItem(KEY, JSON.stringify({ lang: this.lang, dark: this.dark, sidebarCollapsed: this.sidebarCollapsed }))
    },
    setLang(lang: Lang) {
      this.lang = lang
      document.documentElement.lang = lang
      this.persist()
    },
    setDark(dark: boolean) {
      this.dark = dark
      document.documentElement.classList.toggle('dark', dark)
      this.persist()
    },
    toggleSidebar() {
      if (this.isMobile) this.drawerOpen = !this.drawerOpen
      else {
        this.sidebarCollapsed = !this.sidebarCollapsed
        this.persist()
      }
    },
    applyWidth(width: number) {
      this.isMobile = width <= 768
      if (!this.isMobile) this.drawerOpen = false
    },
  },
})
