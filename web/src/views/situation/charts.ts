import type { TrendDay } from '@/api/situation'

/** The ECharts option of the trend chart: alarms and hidden dangers reported / closed per day. */
export function trendOption(days: TrendDay[], names: { alarms: string; reported: string; closed: string }, dark = false) {
  const axis = dark ? '#8fb3e6' : '#606266'
  return {
    tooltip: { trigger: 'axis' },
    legend: { data: [names.alarms, names.reported, names.closed], textStyle: { color: axis } },
    grid: { left: 40, right: 16, top: 36, bottom: 28 },
    xAxis: { type: 'category', data: days.map((d) => d.date.slice(5)), axisLabel: { color: axis } },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { color: axis }, splitLine: { lineStyle: { color: dark ? '#1d3357' : '#ebeef5' } } },
    series: [
      { name: names.alarms, type: 'line', smooth: true, data: days.map((d) => d.alarms), itemStyle: { color: '#e53935' } },
      { name: names.reported, type: 'bar', data: days.map((d) => d.hiddenDangersReported), itemStyle: { color: '#fb8c00' } },
      { name: names.closed, type: 'bar', data: days.map((d) => d.hiddenDangersClosed), itemStyle: { color: '#43a047' } },
    ],
  }
}
