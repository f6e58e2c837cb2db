/** Messages of this area, merged into the locale files by `i18n/index.ts`. */
export default {
  'zh-CN': {
    menu: {
      'hidden-danger/checklist': '检查表',
      'hidden-danger/plan': '排查计划',
      'hidden-danger/task': '排查任务',
      'hidden-danger/inspection-stats': '漏检统计',
    },
    insp: {
      status: { pending: '待执行', completed: '已完成', missed: '漏检' },
      result: { pass: '合格', fail: '不合格', not_applicable: '不适用' },
    },
  },
  en: {
    menu: {
      'hidden-danger/checklist': 'Checklists',
      'hidden-danger/plan': 'Inspection plans',
      'hidden-danger/task': 'Inspection tasks',
      'hidden-danger/inspection-stats': 'Missed inspections',
    },
    insp: {
      status: { pending: 'Pending', completed: 'Completed', missed: 'Missed' },
      result: { pass: 'Pass', fail: 'Fail', not_applicable: 'N/A' },
    },
  },
} as { 'zh-CN': Record<string, unknown>; en: Record<string, unknown> }
