import { describe, expect, it } from 'vitest'
import { buildTrendOption, limitMarkLines, presetRange, refreshPeriod, withGaps, yExtent } from '@/utils/trend'
import { PRIORITY_COLORS } from '@/utils/alarm'

describe('limit markLines', () => {
  it('draws one line per limit coloured by priority', () => {
    const lines = limitMarkLines(
      [{ kind: 'high_high', value: 90, priority: 'critical' }, { kind: 'high', value: 70, priority: 'high' }, { kind: 'low', value: 5, priority: 'low' }],
      (k) => ({ high_high: '高高报', high: '高报', low: '低报' })[k] ?? k,
    )
    expect(lines.map((l) => l.yAxis)).toEqual([90, 70, 5])
    expect(lines.map((l) => l.lineStyle.color)).toEqual([PRIORITY_COLORS.critical, PRIORITY_COLORS.high, PRIORITY_COLORS.low])
    expect(lines[0].lineStyle.type).toBe('solid')
    expect(lines[1].lineStyle.type).toBe('dashed')
    expect(lines[0].label.formatter).toBe('高高报 90')
  })
  it('skips limits without a finite value', () => {
    expect(limitMarkLines([{ kind: 'high', value: Number.NaN, priority: 'high' }])).toEqual([])
  })
})

describe('axis and data helpers', () => {
  it('covers the data and every limit', () => {
    const [lo, hi] = yExtent([10, 20], [{ kind: 'high', value: 100, priority: 'high' }])!
    expect(lo).toBeLessThan(10)
    expect(hi).toBeGreaterThan(100)
    expect(yExtent([], [])).toBeNull()
    expect(yExtent([5], [])).toEqual([4.5, 5.5])
    // 2.75..52.25 (padded 5..50) becomes 0..55
    expect(yExtent([10, 40], [{ kind: 'high_high', value: 50, priority: 'critical' }, { kind: 'low', value: 5, priority: 'low' }])).toEqual([0, 55])
  })
  it('breaks the line over missing minutes', () => {
    const out = withGaps([[0, 1], [60_000, 2], [600_000, 3]], 180_000)
    expect(out).toEqual([[0, 1], [60_000, 2], [60_001, null], [600_000, 3]])
  })
  it('computes ranges and refresh periods', () => {
    expect(presetRange('1h', 10_000_000)).toEqual([6_400_000, 10_000_000])
    expect(refreshPeriod(3_600_000)).toBe(30_000)
    expect(refreshPeriod(60_000)).toBe(10_000)
    expect(refreshPeriod(7 * 86_400_000)).toBe(300_000)
  })
})

describe('trend chart option', () => {
  const labels = { avg: 'avg', band: 'band', raw: 'raw', min: 'min', max: 'max', kind: (k: string) => k }
  const points = [{ ts: 0, min: 1, max: 3, avg: 2 }, { ts: 60_000, min: 2, max: 6, avg: 4 }]
  const limits = [{ kind: 'high', value: 10, priority: 'high' as const }]
  it('stacks a min..max band under the average line, with limits on the average', () => {
    const o = buildTrendOption({ mode: 'agg', points, limits, labels, range: [0, 120_000] })
    const [min, band, avg] = o.series as { name: string; stack?: string; data: [number, number][]; markLine?: { data: unknown[] } }[]
    expect(min.stack).toBe('band')
    expect(band.stack).toBe('band')
    expect(band.data).toEqual([[0, 2], [60_000, 4]]) // max - min
    expect(avg.data).toEqual([[0, 2], [60_000, 4]])
    expect(avg.markLine!.data).toHaveLength(1)
    expect(o.yAxis.max).toBeGreaterThan(10)
  })
  it('plots raw readings in raw mode', () => {
    const o = buildTrendOption({ mode: 'raw', points: [], raw: [{ ts: 0, value: 1 }, { ts: 1000, value: 2 }], limits, labels, range: [0, 2000] })
    expect(o.series).toHaveLength(1)
    expect((o.series[0] as { data: unknown[] }).data).toEqual([[0, 1], [1000, 2]])
  })
})
