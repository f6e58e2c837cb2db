import type { Component } from 'vue'
import {
  OfficeBuilding, Setting, Share, Operation, User, UserFilled, Menu, Collection, Edit, Monitor, Connection,
  Document, Tickets, HomeFilled, Grid,
} from '@element-plus/icons-vue'

/** RuoYi icon names used by the menu table → Element Plus icons. */
const map: Record<string, Component> = {
  'office-building': OfficeBuilding, system: Setting, tree: Share, 'tree-table': Operation, user: User,
  peoples: UserFilled, dict: Collection, edit: Edit, monitor: Monitor, online: Connection, form: Document,
  logininfor: Tickets, home: HomeFilled, menu: Menu,
}

export function menuIcon(name?: string | null): Component {
  return (name && map[name]) || Grid
}
