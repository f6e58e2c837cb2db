import type { Kpis } from '@/api/monitoring'

/** EEMUA 191 reference rates (alarms per operator per 10 minutes). */
export const EEMUA_MANAGEABLE = 1
export const EEMUA_EXCESSIVE = 2

/** The bar chart of alarms per 10 min by area: average and peak bars, EEMUA 191 reference lines. */
export function buildAreaOption(k: Kpis | null, labels: { average: string; peak: string; manageable: string; excessive: string; noArea: string }) {
  const rows = [...(k?.alarmsPer10MinByArea ?? [])].sort((a, b) => b.average - a.average)
  return {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 48, right: 90, top: 36, bottom: 40 },
    xAxis: { type: 'category', data: rows.map((r) => (r.area === '-' || !r.area ? labels.noArea : r.area)), axisLabel: { interval: 0, hideOverlap: true } },
    yAxis: { type: 'value', minInterval: 1, max: (v: { max: number }) => Math.max(v.max, EEMUA_EXCESSIVE + 1) },
    series: [
      {
        name: labels.average, type: 'bar', barMaxWidth: 32, data: rows.map((r) => Math.round(r.average * 100) / 100),
        itemStyle: { color: '#409eff' },
        markLine: {
          symbol: 'none', silent: true,
          data: [
            { yAxis: EEMUA_MANAGEABLE, lineStyle: { color: '#67c23a', type: 'dashed' }, label: { formatter: `${labels.manageable} ${EEMUA_MANAGEABLE}`, color: '#67c23a' } },
            { yAxis: EEMUA_EXCESSIVE, lineStyle: { color: '#e03131', type: 'dashed' }, label: { formatter: `${labels.excessive} ${EEMUA_EXCESSIVE}`, color: '#e03131' } },
          ],
        },
      },
      { name: labels.peak, type: 'bar', barMaxWidth: 32, data: rows.map((r) => r.peak), itemStyle: { color: '#f76707' } },
    ],
  }
}

/** Each top-10 source's share of all raises, in %. */
export function withShare<T extends { raises: number }>(rows: T[], total: number): (T & { share: number })[] {
  return rows.map((r) => ({ ...r, share: total > 0 ? Math.round((r.raises / total) * 1000) / 10 : 0 }))
}
