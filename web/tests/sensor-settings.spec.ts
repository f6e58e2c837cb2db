import { describe, expect, it } from 'vitest'
import type { SensorSettings } from '@/api/monitoring'
import { formToSettings, newLimit, settingsToForm, validateSettings } from '@/utils/sensorSettings'

const api: SensorSettings = {
  limits: [
    { kind: 'high', value: 2895, priority: 'high', deadband: 5, onDelayS: 10, escalate: { afterS: 60, priority: 'critical' }, deescalateAfterS: 120 },
    { kind: 'high_high', value: 3500, priority: 'critical', deadbandPct: 2, onDelaySamples: 3, offDelaySamples: 2 },
    { kind: 'low', value: 100, priority: 'medium', offDelayS: 30 },
  ],
  rateOfChange: { limit: 50, windowS: 60, direction: 'rise', priority: 'medium' },
  schedule: { start: '20:00', end: '05:00', timezone: 'Asia/Shanghai' },
}

describe('sensor settings form <-> API', () => {
  it('reads the API settings into the form (sorted high_high, high, low, low_low)', () => {
    const f = settingsToForm(api)
    expect(f.limits.map((l) => l.kind)).toEqual(['high_high', 'high', 'low'])
    const hh = f.limits[0]
    expect(hh.deadbandMode).toBe('pct')
    expect(hh.deadband).toBe(2)
    expect(hh.onDelayMode).toBe('samples')
    expect(hh.onDelay).toBe(3)
    expect(hh.offDelayMode).toBe('samples')
    const h = f.limits[1]
    expect(h).toMatchObject({ deadbandMode: 'abs', deadband: 5, onDelayMode: 's', onDelay: 10, escalate: true, escalateAfterS: 60, escalatePriority: 'critical', deescalateAfterS: 120 })
    expect(f.rocEnabled).toBe(true)
    expect(f.scheduleEnabled).toBe(true)
    expect(f.schedule).toEqual({ start: '20:00', end: '05:00', timezone: 'Asia/Shanghai' })
  })
  it('round-trips to the same API settings (unset fields left out)', () => {
    const back = formToSettings(settingsToForm(api))
    const byKind = Object.fromEntries(back.limits.map((l) => [l.kind, l]))
    expect(byKind.high).toEqual({ kind: 'high', value: 2895, priority: 'high', deadband: 5, onDelayS: 10, escalate: { afterS: 60, priority: 'critical' }, deescalateAfterS: 120 })
    expect(byKind.high_high).toEqual({ kind: 'high_high', value: 3500, priority: 'critical', deadbandPct: 2, onDelaySamples: 3, offDelaySamples: 2, escalate: null })
    expect(byKind.low).toEqual({ kind: 'low', value: 100, priority: 'medium', offDelayS: 30, escalate: null })
    expect(back.rateOfChange).toEqual(api.rateOfChange)
    expect(back.schedule).toEqual(api.schedule)
  })
  it('sends null for a disabled rate of change and schedule; handles empty settings', () => {
    const f = settingsToForm(null)
    expect(f.limits).toEqual([])
    expect(f.rocEnabled).toBe(false)
    f.limits.push({ ...newLimit('low_low'), value: -5 })
    const s = formToSettings(f)
    expect(s).toEqual({ limits: [{ kind: 'low_low', value: -5, priority: 'critical', escalate: null }], rateOfChange: null, schedule: null })
  })
  it('drops a de-escalation without an escalation and rounds sample counts', () => {
    const l = { ...newLimit('high'), value: 1, deescalateAfterS: 30, onDelayMode: 'samples' as const, onDelay: 2.6 }
    const s = formToSettings({ ...settingsToForm(null), limits: [l] })
    expect(s.limits[0]).toEqual({ kind: 'high', value: 1, priority: 'high', onDelaySamples: 3, escalate: null })
  })
})

describe('settings validation', () => {
  it('accepts good settings', () => {
    expect(validateSettings(settingsToForm(api), { low: 0, high: 4000 })).toEqual([])
  })
  it('names duplicate kinds, missing values and a wrong order', () => {
    const f = settingsToForm(null)
    f.limits = [{ ...newLimit('high'), value: 10 }, { ...newLimit('high'), value: 12 }, { ...newLimit('low'), value: null }]
    expect(validateSettings(f).map((p) => p.key)).toEqual(['duplicateKind', 'valueRequired'])
    f.limits = [{ ...newLimit('high'), value: 10 }, { ...newLimit('low'), value: 10 }, { ...newLimit('high_high'), value: 9 }]
    const keys = validateSettings(f)
    expect(keys).toContainEqual({ key: 'order', params: { a: 'low', b: 'high' } })
    expect(keys).toContainEqual({ key: 'order', params: { a: 'high', b: 'high_high' } })
  })
  it('needs a range for a % deadband, positive rate-of-change, HH:MM schedule', () => {
    const f = settingsToForm(api)
    expect(validateSettings(f, {}).map((p) => p.key)).toContain('pctNeedsRange')
    f.roc.limit = 0
    f.schedule.start = '25:00'
    const keys = validateSettings(f, { low: 0, high: 10 }).map((p) => p.key)
    expect(keys).toContain('rocLimit')
    expect(keys).toContain('scheduleFormat')
    expect(validateSettings(settingsToForm(null), { low: 5, high: 5 }).map((p) => p.key)).toEqual(['range'])
  })
})
