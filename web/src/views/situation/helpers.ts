/** Pure helpers of the situation pages (no Vue, no HTTP): level colours, drill-down links, CSV. */
import type { RiskLevel } from '@/api/risk'
import { COLOUR_HEX, colourOf } from '@/views/risk/helpers'
import type { RegionStat } from '@/api/situation'

/** Grey of an enterprise without a dynamic risk (未评估). */
export const UNASSESSED_HEX = '#909399'

/** The marker colour of a dynamic-risk level (the four-colour palette of the risk pages). */
export function levelHex(level?: RiskLevel | null): string {
  const c = colourOf(level ?? null)
  return c ? COLOUR_HEX[c] : UNASSESSED_HEX
}

/** The legend: every level and 未评估, most severe first. */
export const LEGEND: Array<RiskLevel | 'none'> = ['major', 'high', 'medium', 'low', 'none']

type Loc = { path: string; query?: Record<string, string> }
const q = (o: Record<string, string | number | null | undefined>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined && v !== '') out[k] = String(v)
  return out
}

/** Drill-down targets (each list page reads these query parameters). */
export const drill = {
  dossier: (id: number): Loc => ({ path: `/enterprise/dossier/${id}` }),
  enterprises: (regionId?: number | null, supervisionCategory?: string): Loc => ({
    path: '/enterprise/list',
    query: q({ regionId, supervisionCategory }),
  }),
  enterpriseRisks: (regionId?: number | null, level?: string): Loc => ({
    path: '/situation/enterprise-risk',
    query: q({ regionId, level: level === 'none' ? undefined : level }),
  }),
  alarms: (priority?: string): Loc => ({ path: '/monitoring/alarm', query: q({ priority }) }),
  alarm: (id: number): Loc => ({ path: '/monitoring/alarm', query: q({ id }) }),
  hiddenDangers: (regionId?: number | null, level?: string): Loc => ({
    path: '/hidden-danger/record',
    query: q({ regionId, level }),
  }),
  overdue: (regionId?: number | null): Loc => ({ path: '/hidden-danger/overdue', query: q({ regionId }) }),
  hiddenDanger: (id: number): Loc => ({ path: `/hidden-danger/detail/${id}` }),
  installations: (grade?: string): Loc => ({ path: '/risk/major-hazard', query: q({ grade }) }),
}

/** One CSV cell (RFC 4180 quoting; a leading = + - @ is prefixed with ' against formula injection). */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v)
  if (/^[=+\-@]/.test(s)) s = "'" + s
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** The region statistics as CSV (UTF-8 with BOM so that Excel reads the Chinese headers). */
export function regionStatsCsv(headers: string[], rows: RegionStat[], total: RegionStat): string {
  const line = (r: RegionStat) =>
    [
      r.name, r.code, r.enterprises, r.risk.major, r.risk.high, r.risk.medium, r.risk.low, r.risk.none,
      ...r.installationsByGrade, r.alarms, r.alarmsCritical, r.alarmsHigh, r.activeAlarms,
      r.hiddenDangersReported, r.hiddenDangersMajor, r.hiddenDangersClosed, r.hiddenDangersOpen, r.hiddenDangersOverdue,
    ].map(csvCell).join(',')
  return '\uFEFF' + [headers.map(csvCell).join(','), ...rows.map(line), line(total)].join('\r\n') + '\r\n'
}
