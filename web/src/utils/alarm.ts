import type { Alarm, AlarmMessage, AlarmState, Condition, Priority } from '@/api/monitoring'

/** Priority colours: critical red, high orange, medium yellow, low blue. */
export const PRIORITY_COLORS: Record<Priority, string> = {
  critical: '#e03131',
  high: '#f76707',
  medium: '#f0b400',
  low: '#1c7ed6',
}
const UNKNOWN_COLOR = '#909399'

export function priorityColor(p: string | null | undefined): string {
  return (p && PRIORITY_COLORS[p as Priority]) || UNKNOWN_COLOR
}

/** low = 0 .. critical = 3; unknown = -1. */
export function priorityRank(p: string | null | undefined): number {
  return ['low', 'medium', 'high', 'critical'].indexOf(p ?? '')
}

export type TagType = 'success' | 'danger' | 'info' | 'warning' | 'primary'

export function stateTagType(s: AlarmState | string): TagType {
  switch (s) {
    case 'unacknowledged': return 'danger'
    case 'returned_unacknowledged': return 'warning'
    case 'acknowledged': return 'primary'
    case 'normal': return 'success'
    default: return 'info'
  }
}

/** An occurrence that has not ended yet (the 活动报警 list). */
export function isOpen(a: Pick<Alarm, 'endedAt' | 'state'>): boolean {
  return a.endedAt == null && a.state !== 'normal'
}

export function needsAck(a: Pick<Alarm, 'state'>): boolean {
  return a.state === 'unacknowledged' || a.state === 'returned_unacknowledged'
}
export function canShelve(a: Pick<Alarm, 'state' | 'endedAt'>): boolean {
  return isOpen(a) && a.state !== 'shelved' && a.state !== 'out_of_service'
}
export function canUnshelve(a: Pick<Alarm, 'state'>): boolean {
  return a.state === 'shelved'
}
export function canClose(a: Pick<Alarm, 'state' | 'endedAt'>): boolean {
  return isOpen(a)
}

/** The filters of the alarm list, as the page holds them. */
export interface AlarmFilter {
  /** true: 活动报警 (not ended); false: 历史报警 (ended); undefined: both. */
  open?: boolean
  state?: AlarmState | '' | null
  priority?: Priority | '' | null
  condition?: Condition | '' | null
  enterpriseId?: number | '' | null
  source?: string | null
  from?: number | null
  to?: number | null
}

export function matchesFilter(a: Alarm, f: AlarmFilter): boolean {
  if (f.open !== undefined && isOpen(a) !== f.open) return false
  if (f.state && a.state !== f.state) return false
  if (f.priority && a.priority !== f.priority) return false
  if (f.condition && a.condition !== f.condition) return false
  if (f.enterpriseId != null && f.enterpriseId !== '' && a.enterpriseId !== f.enterpriseId) return false
  if (f.source && !a.source.toLowerCase().includes(f.source.toLowerCase())) return false
  if (f.from != null && a.startedAt < f.from) return false
  if (f.to != null && a.startedAt > f.to) return false
  return true
}

/** The query of `GET /api/alarms` for a filter. */
export function filterToQuery(f: AlarmFilter): Record<string, string | number | undefined> {
  return {
    active: f.open === undefined ? undefined : String(f.open),
    state: f.state || undefined,
    priority: f.priority || undefined,
    condition: f.condition || undefined,
    enterpriseId: f.enterpriseId === '' || f.enterpriseId == null ? undefined : f.enterpriseId,
    source: f.source || undefined,
    from: f.from ?? undefined,
    to: f.to ?? undefined,
  }
}

/** Strip the `event` of a stream message, leaving the alarm row. */
export function rowOf(m: AlarmMessage | Alarm): Alarm {
  const { event: _e, ...row } = m as AlarmMessage
  return row
}

export type MergeChange = 'added' | 'updated' | 'removed' | 'ignored'

export interface MergeOptions {
  /** The list shows at most this many rows (a page). */
  pageSize?: number
  /** Insert rows not yet listed (only on the first page). Default true. */
  insert?: boolean
  /** Last event time seen per alarm id: an older message (a replay after a reconnect) is ignored. */
  seen?: Map<number, number>
}

/**
 * Merge one stream message into the rows shown (by id): replace a listed row, drop it once it no
 * longer matches the filter (an alarm that ended leaves 活动报警), put a new matching one on top.
 * Returns new arrays; never mutates `rows`.
 */
/**
 * Fields describing the source that the stream's messages leave out (null) although the list has
 * them: `sourceName`, `unit`, `enterpriseName`. An update keeps what was known.
 */
const NAMES = ['sourceName', 'unit', 'enterpriseName', 'sensorId'] as const
export function mergeRow<T extends Alarm>(old: T, row: Alarm): T {
  const out = { ...old, ...row } as T
  for (const k of NAMES) if (row[k] == null && old[k] != null) (out as Alarm)[k] = old[k] as never
  return out
}
/** A stream row without the names of its source (to be completed from the API). */
export function lacksNames(a: Alarm): boolean {
  return a.sourceName == null || a.unit == null || (a.enterpriseId != null && a.enterpriseName == null)
}

export function mergeAlarm(rows: Alarm[], m: AlarmMessage | Alarm, filter: AlarmFilter, opts: MergeOptions = {}): { rows: Alarm[]; change: MergeChange } {
  const ts = (m as AlarmMessage).event?.ts
  if (opts.seen && ts != null) {
    const last = opts.seen.get(m.id)
    if (last != null && ts < last) return { rows, change: 'ignored' }
    opts.seen.set(m.id, ts)
  }
  const row = rowOf(m)
  const keep = matchesFilter(row, filter)
  const i = rows.findIndex((r) => r.id === row.id)
  if (i >= 0) {
    if (keep) {
      const out = rows.slice()
      out[i] = mergeRow(rows[i], row)
      return { rows: out, change: 'updated' }
    }
    return { rows: rows.filter((_, j) => j !== i), change: 'removed' }
  }
  if (!keep || opts.insert === false) return { rows, change: 'ignored' }
  const out = [row, ...rows]
  if (opts.pageSize && out.length > opts.pageSize) out.length = opts.pageSize
  return { rows: out, change: 'added' }
}

/** The 5 (n) latest alarms for the bell: newest start first, one row per id. */
export function mergeLatest(latest: Alarm[], m: AlarmMessage | Alarm, n = 5): Alarm[] {
  const row = rowOf(m)
  const prev = latest.find((r) => r.id === row.id)
  const rest = latest.filter((r) => r.id !== row.id)
  if (!prev && (m as AlarmMessage).event && (m as AlarmMessage).event.kind !== 'raised') return latest
  return [prev ? mergeRow(prev, row) : row, ...rest].sort((a, b) => b.startedAt - a.startedAt).slice(0, n)
}

const pad = (n: number) => String(n).padStart(2, '0')

/** epoch ms or an ISO string -> `YYYY-MM-DD HH:mm:ss` in local time; '' for none. */
export function fmtTime(v: number | string | null | undefined): string {
  if (v === null || v === undefined || v === '') return ''
  const d = typeof v === 'number' ? new Date(v) : /^\d+$/.test(v) ? new Date(Number(v)) : new Date(v)
  if (Number.isNaN(d.getTime())) return String(v)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
}

/** A duration as `2天3小时` / `2d 3h` (two largest units, at least minutes). */
export function fmtDuration(ms: number, lang: 'zh-CN' | 'en' = 'zh-CN'): string {
  const units: [number, string, string][] = [[86_400_000, '天', 'd'], [3_600_000, '小时', 'h'], [60_000, '分', 'm']]
  const parts: string[] = []
  let rest = Math.max(0, ms)
  for (const [size, zh, en] of units) {
    const n = Math.floor(rest / size)
    rest -= n * size
    if (n > 0 || (parts.length === 0 && size === 60_000)) parts.push(lang === 'en' ? `${n}${en}` : `${n}${zh}`)
    if (parts.length === 2) break
  }
  return parts.join(lang === 'en' ? ' ' : '')
}

/** A reading with its unit, trimmed to a sensible precision. */
export function fmtValue(v: number | null | undefined, unit?: string | null): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—'
  // At least one decimal above 1000: a reactor at 2897.3 kPa against a 2895 kPa limit must not read 2897.
  const s = Math.abs(v) >= 1000 ? String(Math.round(v * 10) / 10) : Math.abs(v) >= 1 ? String(Math.round(v * 100) / 100) : String(Math.round(v * 10000) / 10000)
  return unit ? `${s} ${unit}` : s
}

/**
 * A close reason as stored by the server (`closeReason`, and the comment of a `closed` event):
 * the reason code, then `: ` and the comment if there was one (`false_alarm: sensor test`).
 * Engine closes carry a plain word (`superseded`). Returns the code's label and the comment.
 */
export function closeReasonText(raw: string | null | undefined, label: (code: string) => string | null): string {
  if (!raw) return ''
  const i = raw.indexOf(': ')
  const code = i >= 0 ? raw.slice(0, i) : raw
  const name = label(code)
  if (name == null) return raw
  const comment = i >= 0 ? raw.slice(i + 2).trim() : ''
  return comment ? `${name}：${comment}` : name
}
