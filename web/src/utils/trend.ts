import type { RawPoint, TrendLimit, TrendPoint } from '@/api/monitoring'
import { priorityColor } from './alarm'

export type RangePreset = '1h' | '6h' | '24h' | '7d'
export const RANGE_MS: Record<RangePreset, number> = { '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000, '7d': 604_800_000 }

/** [from, to] of a preset ending now. */
export function presetRange(p: RangePreset, now: number): [number, number] {
  return [now - RANGE_MS[p], now]
}

/** Auto-refresh period of a live range: about 1/120 of the span, between 10 s and 5 min. */
export function refreshPeriod(spanMs: number): number {
  return Math.min(300_000, Math.max(10_000, Math.round(spanMs / 120)))
}

/** Raw points are returned by the API for ranges of at most 2 hours. */
export const RAW_MAX_SPAN = 2 * 3_600_000

/** One markLine per limit, coloured by its priority; high_high / low_low solid, high / low dashed. */
export function limitMarkLines(limits: TrendLimit[], label: (kind: string) => string = (k) => k) {
  return limits
    .filter((l) => typeof l.value === 'number' && Number.isFinite(l.value))
    .map((l) => {
      const color = priorityColor(l.priority)
      const outer = l.kind === 'high_high' || l.kind === 'low_low'
      return {
        name: label(l.kind),
        yAxis: l.value,
        lineStyle: { color, type: outer ? 'solid' : 'dashed', width: outer ? 2 : 1.5 },
        label: { formatter: `${label(l.kind)} ${l.value}`, color, position: 'insideEndTop' },
      }
    })
}

/** y-axis bounds covering the data and every limit, padded by 5 % of the span and rounded outwards. */
export function yExtent(values: number[], limits: TrendLimit[]): [number, number] | null {
  const all = [...values, ...limits.map((l) => l.value)].filter((v) => typeof v === 'number' && Number.isFinite(v))
  if (!all.length) return null
  let lo = Math.min(...all)
  let hi = Math.max(...all)
  const pad = hi === lo ? Math.abs(hi) * 0.1 || 1 : (hi - lo) * 0.05
  lo -= pad
  hi += pad
  // Round outwards to half a decade of the span, so the axis ends on readable numbers.
  const step = 10 ** Math.floor(Math.log10(hi - lo)) / 2
  const nice = (v: number) => Number(v.toPrecision(6))
  return [nice(Math.floor(lo / step) * step), nice(Math.ceil(hi / step) * step)]
}

/** Insert a null between two points further apart than `gapMs`, so the line breaks over missing data. */
export function withGaps<T>(points: [number, T][], gapMs: number): [number, T | null][] {
  const out: [number, T | null][] = []
  for (let i = 0; i < points.length; i++) {
    if (i > 0 && points[i][0] - points[i - 1][0] > gapMs) out.push([points[i - 1][0] + 1, null])
    out.push(points[i])
  }
  return out
}

export interface TrendLabels { avg: string; band: string; raw: string; min: string; max: string; kind: (k: string) => string }

/**
 * The ECharts option of a sensor trend: minute aggregates as an average line in a min..max band
 * (the band is a stacked area: min, then max - min), or the raw readings; limits as markLines.
 */
export function buildTrendOption(opts: {
  mode: 'agg' | 'raw'
  points: TrendPoint[]
  raw?: RawPoint[] | null
  limits: TrendLimit[]
  unit?: string
  range: [number, number]
  labels: TrendLabels
  samplingPeriodS?: number
}) {
  const { mode, points, limits, labels, range } = opts
  const raw = opts.raw ?? []
  const lines = limitMarkLines(limits, labels.kind)
  const markLine = { symbol: 'none', silent: true, data: lines }
  const gap = 3 * 60_000
  const series: Record<string, unknown>[] = []
  let values: number[]
  if (mode === 'raw') {
    const period = Math.max(60_000, (opts.samplingPeriodS ?? 60) * 3000)
    series.push({
      name: labels.raw, type: 'line', showSymbol: raw.length < 200, symbolSize: 4, connectNulls: false,
      data: withGaps(raw.map((p) => [p.ts, p.value] as [number, number]), period), markLine,
    })
    values = raw.map((p) => p.value)
  } else {
    series.push(
      {
        name: labels.min, type: 'line', stack: 'band', stackStrategy: 'all', symbol: 'none', lineStyle: { opacity: 0 },
        data: withGaps(points.map((p) => [p.ts, p.min] as [number, number]), gap), tooltip: { show: false },
      },
      {
        name: labels.band, type: 'line', stack: 'band', stackStrategy: 'all', symbol: 'none', lineStyle: { opacity: 0 },
        areaStyle: { color: 'rgba(64,158,255,0.18)' },
        data: withGaps(points.map((p) => [p.ts, p.max - p.min] as [number, number]), gap), tooltip: { show: false },
      },
      {
        name: labels.avg, type: 'line', symbol: 'none', lineStyle: { width: 1.5 }, connectNulls: false,
        data: withGaps(points.map((p) => [p.ts, p.avg] as [number, number]), gap), markLine,
      },
    )
    values = points.flatMap((p) => [p.min, p.max])
  }
  const ext = yExtent(values, limits)
  const byTs = new Map(points.map((p) => [p.ts, p]))
  return {
    animation: false,
    grid: { left: 56, right: 24, top: 36, bottom: 64 },
    legend: { top: 0, data: mode === 'raw' ? [labels.raw] : [labels.avg, labels.band] },
    tooltip: {
      trigger: 'axis',
      formatter: (params: { axisValue: number; seriesName: string; value: [number, number | null] }[]) => {
        const list = Array.isArray(params) ? params : [params]
        if (!list.length) return ''
        const ts = Number(list[0].value?.[0] ?? list[0].axisValue)
        const d = new Date(ts)
        const head = `${d.toLocaleString()}`
        const u = opts.unit ? ' ' + opts.unit : ''
        if (mode === 'raw') return `${head}<br/>${labels.raw}: ${list[0].value?.[1] ?? '—'}${u}`
        const p = byTs.get(ts)
        if (!p) return head
        return `${head}<br/>${labels.avg}: ${round(p.avg)}${u}<br/>${labels.min}: ${round(p.min)}${u}<br/>${labels.max}: ${round(p.max)}${u}`
      },
    },
    xAxis: { type: 'time', min: range[0], max: range[1] },
    yAxis: { type: 'value', name: opts.unit ?? '', scale: true, ...(ext ? { min: ext[0], max: ext[1] } : {}) },
    dataZoom: [{ type: 'inside' }, { type: 'slider', height: 20, bottom: 8 }],
    series,
  }
}

function round(v: number) {
  return Math.round(v * 1000) / 1000
}
