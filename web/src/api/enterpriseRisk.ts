import { http, type Query } from '@/utils/request'
import type { PageResult } from './types'
import type { RiskColour, RiskLevel } from './risk'

/** What a breakdown item is about (`docs/dynamic-risk.md`). */
export type RiskItemKind =
  | 'installation'
  | 'risk_point'
  | 'active_alarm'
  | 'overdue_hidden_danger'
  | 'major_hidden_danger'
  | 'recent_accident'

/** One cause of an enterprise's dynamic risk. */
export interface RiskItem {
  kind: RiskItemKind
  count: number
  /** Points added (after the cap). */
  points: number
  /** Points before the cap. */
  rawPoints: number
  text: string
  /** Alarm ids, the installation id or the risk point id. */
  refs: number[]
  condition?: string
}

/** An enterprise's current dynamic risk (企业动态风险). */
export interface EnterpriseRisk {
  enterpriseId: number
  enterpriseName: string
  regionId: number
  regionName?: string | null
  score: number
  level: RiskLevel
  colour: RiskColour
  inherentScore: number
  liveScore: number
  breakdown: RiskItem[]
  summary: string
  computedAt: string
  changedAt: string
}

/** One change of the risk. */
export interface RiskHistoryRow {
  id: number
  computedAt: string
  score: number
  level: RiskLevel
  breakdown: RiskItem[]
  summary: string
  trigger: string
}

export const enterpriseRiskApi = {
  ranking: (q: Query) => http.get<PageResult<EnterpriseRisk>>('/api/enterprise-risks', q),
  get: (enterpriseId: number) => http.get<EnterpriseRisk>(`/api/enterprises/${enterpriseId}/risk`),
  history: (enterpriseId: number, q: Query = {}) =>
    http.get<PageResult<RiskHistoryRow>>(`/api/enterprises/${enterpriseId}/risk/history`, q),
  recompute: (enterpriseIds?: number[]) =>
    http.post<{ count: number; changed: number }>('/api/enterprise-risks/recompute', enterpriseIds ? { enterpriseIds } : {}),
}

/** Where a breakdown item links to: the alarm console, the hidden-danger ledger, the installation. */
export function itemLink(item: RiskItem, enterpriseId: number): string | null {
  switch (item.kind) {
    case 'active_alarm':
      return item.refs.length ? `/monitoring/alarm?id=${item.refs[0]}` : '/monitoring/alarm'
    case 'overdue_hidden_danger':
      return `/hidden-danger/record?enterpriseId=${enterpriseId}&overdue=true`
    case 'major_hidden_danger':
      return `/hidden-danger/record?enterpriseId=${enterpriseId}&level=major`
    case 'installation':
      return item.refs.length ? `/risk/major-hazard?id=${item.refs[0]}` : `/risk/major-hazard?enterpriseId=${enterpriseId}`
    case 'risk_point':
      return item.refs.length ? `/risk/point/${item.refs[0]}` : null
    default:
      return null
  }
}
