import type { Component } from 'vue'
import {
  OfficeBuilding, Setting, Share, Operation, User, UserFilled, Menu, Collection, Edit, Monitor, Connection,
  Document, Tickets, HomeFilled, Grid, DataLine, Cpu, TrendCharts, Bell, Odometer, Link, WarningFilled, Warning,
  Search, List, Finished, DataAnalysis, AlarmClock, Camera, Flag, DocumentChecked, Calendar, Checked, Postcard,
} from '@element-plus/icons-vue'

/** RuoYi icon names used by the menu table → Element Plus icons. */
const map: Record<string, Component> = {
  'office-building': OfficeBuilding, system: Setting, tree: Share, 'tree-table': Operation, user: User,
  peoples: UserFilled, dict: Collection, edit: Edit, monitor: Monitor, online: Connection, form: Document,
  logininfor: Tickets, home: HomeFilled, menu: Menu,
  // 监测预警
  dashboard: DataLine, server: Cpu, chart: TrendCharts, message: Bell, kpi: Odometer, rate: Odometer, alarm: Bell,
  sensor: TrendCharts, device: Cpu, link: Link,
  // 双重预防
  warning: WarningFilled, risk: Warning, search: Search, list: List, finished: Finished,
  'data-analysis': DataAnalysis, 'alarm-clock': AlarmClock, camera: Camera, flag: Flag,
  'document-checked': DocumentChecked, calendar: Calendar, checked: Checked, postcard: Postcard,
}

export function menuIcon(name?: string | null): Component {
  return (name && map[name]) || Grid
}
