import type { ApiLimit, LimitKind, Priority, SensorSettings } from '@/api/monitoring'

/** One row of the limits table in the sensor form. */
export interface LimitForm {
  kind: LimitKind
  value: number | null
  priority: Priority
  /** Deadband as an absolute value in the sensor's unit, or as % of the measuring range's span. */
  deadbandMode: 'abs' | 'pct'
  deadband: number | null
  /** On-delay in seconds or in consecutive samples. */
  onDelayMode: 's' | 'samples'
  onDelay: number | null
  offDelayMode: 's' | 'samples'
  offDelay: number | null
  escalate: boolean
  escalateAfterS: number | null
  escalatePriority: Priority
  deescalateAfterS: number | null
}

export interface SettingsForm {
  limits: LimitForm[]
  rocEnabled: boolean
  roc: { limit: number | null; windowS: number | null; direction: 'rise' | 'fall' | 'both'; priority: Priority }
  scheduleEnabled: boolean
  schedule: { start: string; end: string; timezone: string }
}

export const DEFAULT_TIMEZONE = 'Asia/Shanghai'

const DEFAULT_PRIORITY: Record<LimitKind, Priority> = { high_high: 'critical', high: 'high', low: 'high', low_low: 'critical' }

export function newLimit(kind: LimitKind = 'high'): LimitForm {
  return {
    kind, value: null, priority: DEFAULT_PRIORITY[kind], deadbandMode: 'abs', deadband: null,
    onDelayMode: 's', onDelay: null, offDelayMode: 's', offDelay: null,
    escalate: false, escalateAfterS: null, escalatePriority: 'critical', deescalateAfterS: null,
  }
}

const num = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

export function limitToForm(l: ApiLimit): LimitForm {
  const pct = num(l.deadbandPct)
  const onSamples = num(l.onDelaySamples)
  const offSamples = num(l.offDelaySamples)
  return {
    kind: l.kind,
    value: num(l.value),
    priority: l.priority,
    deadbandMode: pct != null ? 'pct' : 'abs',
    deadband: pct != null ? pct : num(l.deadband),
    onDelayMode: onSamples != null ? 'samples' : 's',
    onDelay: onSamples != null ? onSamples : num(l.onDelayS),
    offDelayMode: offSamples != null ? 'samples' : 's',
    offDelay: offSamples != null ? offSamples : num(l.offDelayS),
    escalate: !!l.escalate,
    escalateAfterS: num(l.escalate?.afterS),
    escalatePriority: l.escalate?.priority ?? 'critical',
    deescalateAfterS: num(l.deescalateAfterS),
  }
}

/** The API form of a limit row. Unset optional fields are left out (not sent as null). */
export function limitToApi(f: LimitForm): ApiLimit {
  const out: ApiLimit = { kind: f.kind, value: f.value ?? 0, priority: f.priority }
  const db = num(f.deadband)
  if (db != null && db > 0) {
    if (f.deadbandMode === 'pct') out.deadbandPct = db
    else out.deadband = db
  }
  const on = num(f.onDelay)
  if (on != null && on > 0) {
    if (f.onDelayMode === 'samples') out.onDelaySamples = Math.round(on)
    else out.onDelayS = on
  }
  const off = num(f.offDelay)
  if (off != null && off > 0) {
    if (f.offDelayMode === 'samples') out.offDelaySamples = Math.round(off)
    else out.offDelayS = off
  }
  out.escalate = f.escalate && num(f.escalateAfterS) != null ? { afterS: f.escalateAfterS as number, priority: f.escalatePriority } : null
  const de = num(f.deescalateAfterS)
  if (f.escalate && de != null && de > 0) out.deescalateAfterS = de
  return out
}

const LIMIT_ORDER: LimitKind[] = ['high_high', 'high', 'low', 'low_low']

export function settingsToForm(s: SensorSettings | null | undefined): SettingsForm {
  const limits = [...(s?.limits ?? [])]
    .sort((a, b) => LIMIT_ORDER.indexOf(a.kind) - LIMIT_ORDER.indexOf(b.kind))
    .map(limitToForm)
  const roc = s?.rateOfChange
  const sch = s?.schedule
  return {
    limits,
    rocEnabled: !!roc,
    roc: { limit: num(roc?.limit), windowS: num(roc?.windowS) ?? 60, direction: roc?.direction ?? 'both', priority: roc?.priority ?? 'medium' },
    scheduleEnabled: !!sch,
    schedule: { start: sch?.start ?? '08:00', end: sch?.end ?? '18:00', timezone: sch?.timezone || DEFAULT_TIMEZONE },
  }
}

export function formToSettings(f: SettingsForm): SensorSettings {
  return {
    limits: f.limits.map(limitToApi),
    rateOfChange: f.rocEnabled
      ? { limit: f.roc.limit ?? 0, windowS: f.roc.windowS ?? 60, direction: f.roc.direction, priority: f.roc.priority }
      : null,
    schedule: f.scheduleEnabled ? { start: f.schedule.start, end: f.schedule.end, timezone: f.schedule.timezone || DEFAULT_TIMEZONE } : null,
  }
}

/** A problem of the settings form: an i18n key under `mon.settingsError` with its parameters. */
export interface SettingsProblem { key: string; params?: Record<string, string | number> }

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/

/**
 * Check the settings before they are sent (the server checks them again): one limit per kind,
 * every limit has a value, low_low <= low < high <= high_high, a % deadband needs a measuring
 * range, delays and windows are positive, schedule times are HH:MM.
 */
export function validateSettings(f: SettingsForm, range: { low?: number | null; high?: number | null } = {}): SettingsProblem[] {
  const out: SettingsProblem[] = []
  const seen = new Set<string>()
  for (const l of f.limits) {
    if (seen.has(l.kind)) out.push({ key: 'duplicateKind', params: { kind: l.kind } })
    seen.add(l.kind)
    if (num(l.value) == null) out.push({ key: 'valueRequired', params: { kind: l.kind } })
    if (l.deadbandMode === 'pct' && num(l.deadband) != null && (range.low == null || range.high == null)) out.push({ key: 'pctNeedsRange', params: { kind: l.kind } })
    if ((num(l.deadband) ?? 0) < 0 || (num(l.onDelay) ?? 0) < 0 || (num(l.offDelay) ?? 0) < 0) out.push({ key: 'negative', params: { kind: l.kind } })
    if (l.escalate && !(num(l.escalateAfterS) && (l.escalateAfterS as number) > 0)) out.push({ key: 'escalateAfter', params: { kind: l.kind } })
  }
  const v = (k: LimitKind) => num(f.limits.find((l) => l.kind === k)?.value)
  const chain: LimitKind[] = ['low_low', 'low', 'high', 'high_high']
  const present = chain.filter((k) => v(k) != null)
  for (let i = 1; i < present.length; i++) {
    const a = present[i - 1]
    const b = present[i]
    const strict = a === 'low' && b === 'high'
    const bad = strict ? (v(a) as number) >= (v(b) as number) : (v(a) as number) > (v(b) as number)
    if (bad) out.push({ key: 'order', params: { a, b } })
  }
  if (range.low != null && range.high != null && range.low >= range.high) out.push({ key: 'range' })
  if (f.rocEnabled) {
    if (!(num(f.roc.limit) && (f.roc.limit as number) > 0)) out.push({ key: 'rocLimit' })
    if (!(num(f.roc.windowS) && (f.roc.windowS as number) > 0)) out.push({ key: 'rocWindow' })
  }
  if (f.scheduleEnabled) {
    if (!HHMM.test(f.schedule.start) || !HHMM.test(f.schedule.end)) out.push({ key: 'scheduleFormat' })
    else if (f.schedule.start === f.schedule.end) out.push({ key: 'scheduleEmpty' })
  }
  return out
}
