import { defineStore } from 'pinia'

export interface TagView {
  path: string
  fullPath: string
  title: string
  affix?: boolean
  text?: string
}

export const useTagsViewStore = defineStore('tagsView', {
  state: () => ({ visited: [{ path: '/index', fullPath: '/index', title: 'route.home', affix: true }] as TagView[] }),
  actions: {
    add(v: TagView) {
      const i = this.visited.findIndex((t) => t.path === v.path)
      if (i >= 0) this.visited[i] = { ...this.visited[i], fullPath: v.fullPath, title: v.title, text: v.text }
      else this.visited.push(v)
    },
    remove(path: string): TagView | undefined {
      const i = this.visited.findIndex((t) => t.path === path && !t.affix)
      if (i >= 0) this.visited.splice(i, 1)
      return this.visited[Math.max(0, i - 1)]
    },
    closeOthers(path: string) {
      this.visited = this.visited.filter((t) => t.affix || t.path === path)
    },
    closeAll() {
      this.visited = this.visited.filter((t) => t.affix)
    },
  },
})
