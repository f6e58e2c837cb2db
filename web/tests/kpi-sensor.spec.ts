import { describe, expect, it } from 'vitest'
import { buildAreaOption, EEMUA_EXCESSIVE, EEMUA_MANAGEABLE, withShare } from '@/utils/kpi'
import { beyondLimit, isStale, latestTag } from '@/utils/sensor'
import { constantRoutes, resolveView } from '@/router'

const labels = { average: 'avg', peak: 'peak', manageable: '可管理', excessive: '过多', noArea: '未分区' }

describe('KPI chart', () => {
  it('sorts areas by average, names the no-area bucket, draws the EEMUA 191 lines at 1 and 2', () => {
    const o = buildAreaOption(
      {
        alarmsPer10MinByArea: [{ area: '-', average: 0.5, peak: 3 }, { area: 'reactor', average: 2.345, peak: 9 }],
        floodPercent: 0, chattering: [], stale: [], top10: [], totalRaises: 0,
      },
      labels,
    )
    expect(o.xAxis.data).toEqual(['reactor', '未分区'])
    expect(o.series[0].data).toEqual([2.35, 0.5])
    expect(o.series[1].data).toEqual([9, 3])
    const lines = o.series[0].markLine!.data
    expect(lines.map((l) => l.yAxis)).toEqual([EEMUA_MANAGEABLE, EEMUA_EXCESSIVE])
    expect(lines.map((l) => l.yAxis)).toEqual([1, 2])
    expect(lines[0].label.formatter).toContain('可管理')
    expect(lines[1].label.formatter).toContain('过多')
    // the axis always shows the "excessive" line
    expect(o.yAxis.max({ max: 0.4 })).toBe(3)
    expect(o.yAxis.max({ max: 12 })).toBe(12)
  })
  it('handles no data', () => {
    expect(buildAreaOption(null, labels).xAxis.data).toEqual([])
  })
  it('computes each source share of all raises', () => {
    expect(withShare([{ raises: 25 }, { raises: 1 }], 300).map((r) => r.share)).toEqual([8.3, 0.3])
    expect(withShare([{ raises: 5 }], 0)[0].share).toBe(0)
  })
})

describe('sensor freshness', () => {
  const base = { samplingPeriodS: 60, staleAfter: 3 }
  it('is stale after staleAfter sampling periods without a reading', () => {
    expect(isStale({ ...base, latest: { ts: 0, value: 1, quality: 'good' } }, 180_000)).toBe(false)
    expect(isStale({ ...base, latest: { ts: 0, value: 1, quality: 'good' } }, 180_001)).toBe(true)
    expect(isStale({ ...base, latest: null }, 0)).toBe(true)
    // staleAfter 0 (no communication alarm) still shows data older than 3 periods as stale
    expect(isStale({ samplingPeriodS: 10, staleAfter: 0, latest: { ts: 0, value: 1, quality: 'good' } }, 31_000)).toBe(true)
  })
})

describe('monitoring routes', () => {
  it('has the trend as a constant child route and resolves the menu pages', () => {
    const root = constantRoutes.find((r) => r.name === 'Root')!
    const trend = root.children!.find((r) => r.name === 'SensorTrend')!
    expect(trend.path).toBe('monitoring/trend/:id(\\d+)')
    expect(trend.meta?.activeMenu).toBe('/monitoring/sensor')
    const pending = resolveView('no/such/page')
    for (const p of ['device', 'sensor', 'alarm', 'kpi', 'webhook']) expect(resolveView(`monitoring/${p}/index`)).not.toBe(pending)
  })
})

describe('latest value colour', () => {
  const limits = [
    { kind: 'high' as const, value: 2895, priority: 'high' as const },
    { kind: 'low' as const, value: 10, priority: 'medium' as const },
  ]
  const at = (value: number, quality = 'good') => ({
    latest: { ts: 0, value, quality },
    settings: { limits },
    samplingPeriodS: 60,
    staleAfter: 3,
  })
  it('is red beyond a limit, with the engine comparison (equal is normal)', () => {
    expect(beyondLimit(at(2895))).toBe(false)
    expect(beyondLimit(at(2895.1))).toBe(true)
    expect(beyondLimit(at(10))).toBe(false)
    expect(beyondLimit(at(9.9))).toBe(true)
    expect(latestTag(at(3000), 1000)).toBe('danger')
    expect(latestTag(at(2000), 1000)).toBe('success')
    expect(latestTag(at(2000), 10_000_000)).toBe('warning')
    expect(latestTag(at(2000, 'bad'), 1000)).toBe('danger')
  })
})
