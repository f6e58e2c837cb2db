import type { Sensor } from '@/api/monitoring'

/**
 * The latest reading is older than the sensor's stale time (`staleAfter` sampling periods; 3 when
 * staleAfter is 0 = no communication alarm, so the list still shows old data as such).
 */
export function isStale(s: Pick<Sensor, 'latest' | 'samplingPeriodS' | 'staleAfter'>, now: number): boolean {
  if (!s.latest) return true
  const periods = s.staleAfter > 0 ? s.staleAfter : 3
  return now - s.latest.ts > Math.max(1, s.samplingPeriodS) * 1000 * periods
}

/**
 * The latest value is beyond one of the sensor's limits, with the engine's comparison (a value
 * equal to a limit is normal): `> value` for high and high-high, `< value` for low and low-low.
 */
export function beyondLimit(s: Pick<Sensor, 'latest' | 'settings'>): boolean {
  const v = s.latest?.value
  if (v == null || !Number.isFinite(v)) return false
  return (s.settings?.limits ?? []).some((l) =>
    l.kind === 'high' || l.kind === 'high_high' ? v > l.value : v < l.value,
  )
}

/** Element Plus tag type of a latest value: bad quality or beyond a limit red, stale orange. */
export function latestTag(s: Pick<Sensor, 'latest' | 'settings' | 'samplingPeriodS' | 'staleAfter'>, now: number): 'info' | 'danger' | 'warning' | 'success' {
  if (!s.latest) return 'info'
  if (s.latest.quality === 'bad' || beyondLimit(s)) return 'danger'
  return isStale(s, now) ? 'warning' : 'success'
}
