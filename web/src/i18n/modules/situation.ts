/** Messages of the situation pages (态势感知), merged into the locale files by `i18n/index.ts`. */
export default {
  'zh-CN': {
    route: { screen: '态势大屏' },
    menu: { situation: '态势感知', 'situation/dashboard': '态势总览', 'situation/region-stats': '区域统计' },
    sit: {
      title: '城市安全生产态势', screenTitle: '城市安全生产态势大屏', city: '全市', region: '区域', refresh: '刷新',
      openScreen: '大屏展示', updatedAt: '更新于 {t}', live: '实时', legend: '图例',
      level: { major: '红色（重大）', high: '橙色（较大）', medium: '黄色（一般）', low: '蓝色（低）', none: '未评估' },
      levelShort: { major: '红', high: '橙', medium: '黄', low: '蓝', none: '未评估' },
      card: {
        enterprises: '企业总数', major: '红色风险企业', high: '橙色风险企业', activeAlarms: '活动报警',
        openHd: '未销号隐患', overdueHd: '逾期隐患', majorHd: '重大隐患', installations: '重大危险源',
      },
      map: '企业风险分布', feed: '实时报警', feedEmpty: '当前没有活动报警', feedTotal: '活动报警 {n} 条',
      byRegion: '按区域统计', byCategory: '按监管分类', byLevel: '按风险等级', topRisks: '风险最高的十家企业',
      overdue: '逾期隐患', overdueTotal: '共 {n} 条', trends: '近 {n} 天趋势',
      installationsByGrade: '重大危险源分级', grade: { '1': '一级', '2': '二级', '3': '三级', '4': '四级' },
      col: {
        region: '区域', enterprises: '企业数', activeAlarms: '活动报警', openHd: '未销号隐患', overdueHd: '逾期隐患',
        rank: '排名', enterprise: '企业', score: '风险分值', level: '等级', summary: '主要原因', code: '隐患编号',
        daysOverdue: '逾期天数', deadline: '整改期限', priority: '级别', source: '测点', value: '当前值', time: '时间',
      },
      series: { alarms: '报警', reported: '隐患上报', closed: '隐患销号' },
      days: '{n} 天', noData: '暂无数据',
      stats: {
        title: '区域统计', period: '统计期间', from: '开始日期', to: '结束日期', exportCsv: '导出 CSV', total: '合计',
        parent: '上级区域',
        col: {
          name: '区域', code: '区划代码', enterprises: '企业数', riskMajor: '红色', riskHigh: '橙色', riskMedium: '黄色',
          riskLow: '蓝色', riskNone: '未评估', g1: '一级', g2: '二级', g3: '三级', g4: '四级', alarms: '报警数',
          alarmsCritical: '紧急', alarmsHigh: '高', activeAlarms: '活动报警', hdReported: '上报隐患', hdMajor: '重大隐患',
          hdClosed: '销号隐患', hdOpen: '未销号', hdOverdue: '逾期',
        },
        group: { risk: '动态风险（当前）', installations: '重大危险源（当前）', alarms: '报警（期间）', hd: '隐患（期间 / 当前）' },
      },
    },
  },
  en: {
    route: { screen: 'Situation screen' },
    menu: { situation: 'Situation', 'situation/dashboard': 'Dashboard', 'situation/region-stats': 'Region statistics' },
    sit: {
      title: 'City work-safety situation', screenTitle: 'City work-safety situation', city: 'Whole city', region: 'Region', refresh: 'Refresh',
      openScreen: 'Large screen', updatedAt: 'Updated {t}', live: 'Live', legend: 'Legend',
      level: { major: 'Red (major)', high: 'Orange (high)', medium: 'Yellow (medium)', low: 'Blue (low)', none: 'Not assessed' },
      levelShort: { major: 'Red', high: 'Orange', medium: 'Yellow', low: 'Blue', none: 'n/a' },
      card: {
        enterprises: 'Enterprises', major: 'Red enterprises', high: 'Orange enterprises', activeAlarms: 'Active alarms',
        openHd: 'Open hidden dangers', overdueHd: 'Overdue', majorHd: 'Major hidden dangers', installations: 'Major hazards',
      },
      map: 'Enterprise risk map', feed: 'Live alarms', feedEmpty: 'No active alarm', feedTotal: '{n} active alarms',
      byRegion: 'By region', byCategory: 'By category', byLevel: 'By level', topRisks: 'Ten riskiest enterprises',
      overdue: 'Overdue hidden dangers', overdueTotal: '{n} in all', trends: 'Last {n} days',
      installationsByGrade: 'Major hazards by grade', grade: { '1': 'Grade 1', '2': 'Grade 2', '3': 'Grade 3', '4': 'Grade 4' },
      col: {
        region: 'Region', enterprises: 'Enterprises', activeAlarms: 'Active alarms', openHd: 'Open', overdueHd: 'Overdue',
        rank: '#', enterprise: 'Enterprise', score: 'Score', level: 'Level', summary: 'Reasons', code: 'Code',
        daysOverdue: 'Days overdue', deadline: 'Deadline', priority: 'Priority', source: 'Sensor', value: 'Value', time: 'Time',
      },
      series: { alarms: 'Alarms', reported: 'Reported', closed: 'Closed' },
      days: '{n} days', noData: 'No data',
      stats: {
        title: 'Region statistics', period: 'Period', from: 'From', to: 'To', exportCsv: 'Export CSV', total: 'Total',
        parent: 'Parent region',
        col: {
          name: 'Region', code: 'Code', enterprises: 'Enterprises', riskMajor: 'Red', riskHigh: 'Orange', riskMedium: 'Yellow',
          riskLow: 'Blue', riskNone: 'n/a', g1: 'G1', g2: 'G2', g3: 'G3', g4: 'G4', alarms: 'Alarms',
          alarmsCritical: 'Critical', alarmsHigh: 'High', activeAlarms: 'Active', hdReported: 'Reported', hdMajor: 'Major',
          hdClosed: 'Closed', hdOpen: 'Open', hdOverdue: 'Overdue',
        },
        group: { risk: 'Dynamic risk (now)', installations: 'Major hazards (now)', alarms: 'Alarms (period)', hd: 'Hidden dangers (period / now)' },
      },
    },
  },
}
