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
