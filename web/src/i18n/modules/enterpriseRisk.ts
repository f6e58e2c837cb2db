/** Messages of the dynamic enterprise risk (企业动态风险), merged into the locale files by `i18n/index.ts`. */
export default {
  'zh-CN': {
    menu: { situation: '态势感知', 'situation/enterprise-risk': '企业动态风险' },
    ent: { tabs: { dynamicRisk: '动态风险' } },
    erisk: {
      title: '企业动态风险', rank: '排名', enterprise: '企业名称', region: '所属区域', score: '风险分值', level: '风险等级',
      inherent: '固有风险', live: '动态风险', summary: '风险摘要', computedAt: '计算时间', changedAt: '变化时间',
      breakdown: '风险构成', history: '风险变化趋势', recompute: '重新计算', recomputeAll: '全部重新计算',
      recomputed: '已重新计算 {count} 家企业，{changed} 家风险变化', points: '{n} 分', capped: '（封顶前 {n} 分）',
      trigger: '触发原因', noHistory: '暂无变化记录', none: '无风险因素', badge: '动态风险', tab: '动态风险', open: '查看',
      levelName: { major: '重大风险（红）', high: '较大风险（橙）', medium: '一般风险（黄）', low: '低风险（蓝）' },
      kind: {
        installation: '重大危险源', risk_point: '风险点', active_alarm: '活动报警', overdue_hidden_danger: '逾期隐患',
        major_hidden_danger: '重大事故隐患', recent_accident: '近期事故',
      },
      triggers: {
        startup: '启动计算', alarm: '报警', hidden_danger: '隐患', risk_point: '风险点', installation: '重大危险源',
        schedule: '隐患到期', manual: '手动计算',
      },
      note: '分值按系统参数 risk.dynamicWeights 计算（平台默认值，非法规规定）',
    },
  },
  en: {
    menu: { situation: 'Situation', 'situation/enterprise-risk': 'Enterprise risk' },
    ent: { tabs: { dynamicRisk: 'Dynamic risk' } },
    erisk: {
      title: 'Dynamic enterprise risk', rank: 'Rank', enterprise: 'Enterprise', region: 'Region', score: 'Score', level: 'Level',
      inherent: 'Inherent', live: 'Live', summary: 'Summary', computedAt: 'Computed', changedAt: 'Changed',
      breakdown: 'Breakdown', history: 'Trend', recompute: 'Recompute', recomputeAll: 'Recompute all',
      recomputed: 'Recomputed {count} enterprises, {changed} changed', points: '{n} pts', capped: ' (before cap {n})',
      trigger: 'Cause', noHistory: 'No changes yet', none: 'No risk factors', badge: 'Dynamic risk', tab: 'Dynamic risk', open: 'Open',
      levelName: { major: 'Major (red)', high: 'High (orange)', medium: 'Medium (yellow)', low: 'Low (blue)' },
      kind: {
        installation: 'Major hazard installation', risk_point: 'Risk point', active_alarm: 'Active alarms',
        overdue_hidden_danger: 'Overdue hidden dangers', major_hidden_danger: 'Major hidden dangers', recent_accident: 'Recent accidents',
      },
      triggers: {
        startup: 'Startup', alarm: 'Alarm', hidden_danger: 'Hidden danger', risk_point: 'Risk point', installation: 'Installation',
        schedule: 'Deadline passed', manual: 'Manual',
      },
      note: 'Scores use the parameter risk.dynamicWeights (a platform default, not a regulation)',
    },
  },
}
