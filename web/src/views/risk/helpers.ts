/** Pure helpers of the risk pages (no Vue, no HTTP): colours, labels, the graded-control check. */
import type { ManagementLevel, RiskColour, RiskLevel } from '@/api/risk'

/** Fill colour of a level (red / orange / yellow / blue, 安委办〔2016〕11号). */
export const COLOUR_HEX: Record<RiskColour, string> = {
  red: '#e53935',
  orange: '#fb8c00',
  yellow: '#fdd835',
  blue: '#1e88e5',
}

const LEVEL_COLOUR: Record<RiskLevel, RiskColour> = { major: 'red', high: 'orange', medium: 'yellow', low: 'blue' }

/** The colour of a level; `null` for an unassessed point. */
export function colourOf(level?: RiskLevel | null): RiskColour | null {
  return level ? LEVEL_COLOUR[level] : null
}

/** Inline style of a colour tag: filled background, readable text (dark on yellow). */
export function levelStyle(level?: RiskLevel | null): Record<string, string> {
  const c = colourOf(level)
  if (!c) return { background: '#f4f4f5', color: '#909399', borderColor: '#e9e9eb' }
  return { background: COLOUR_HEX[c], color: c === 'yellow' ? '#303133' : '#ffffff', borderColor: COLOUR_HEX[c] }
}

const RANK: Record<ManagementLevel, number> = { company: 4, department: 3, workshop: 2, team: 1 }
const MIN_LEVEL: Record<RiskLevel, ManagementLevel> = { major: 'company', high: 'department', medium: 'workshop', low: 'team' }

/** The lowest management level that must control a risk of `level` (重大→公司 … 低→班组). */
export function minManagementLevel(level: RiskLevel): ManagementLevel {
  return MIN_LEVEL[level]
}

/**
 * The management level the measures lack, like the server's check: `null` when at least one
 * measure is at or above the minimum for the level (or the point is not assessed).
 */
export function managementGap(level: RiskLevel | null | undefined, measures: ManagementLevel[]): ManagementLevel | null {
  if (!level) return null
  const need = MIN_LEVEL[level]
  return measures.some((m) => RANK[m] >= RANK[need]) ? null : need
}

/** Today's date in Asia/Shanghai as `YYYY-MM-DD` (dates in the API are Shanghai calendar dates). */
export function shanghaiToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10)
}

/** A date picker's cell (a local midnight) as `YYYY-MM-DD`: its local calendar day, not its UTC one. */
export function pickerDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

/** Whether a date picker cell is after `today` (default: today in Asia/Shanghai); for `disabled-date`. */
export function isFutureDay(d: Date, today: string = shanghaiToday()): boolean {
  return pickerDay(d) > today
}

/** Days from `today` to `due` (both `YYYY-MM-DD`); negative when past. */
export function daysUntil(due: string, today: string): number {
  return Math.round((Date.parse(due + 'T00:00:00Z') - Date.parse(today + 'T00:00:00Z')) / 86_400_000)
}
