import { http, download, type Query } from '@/utils/request'
import type { PageResult } from './types'

type Body = Record<string, unknown>
type Id = number | string

export type RiskLevel = 'major' | 'high' | 'medium' | 'low'
export type RiskColour = 'red' | 'orange' | 'yellow' | 'blue'
export type PointKind = 'area' | 'equipment_facility' | 'operation' | 'activity'
export type MeasureKind = 'engineering' | 'management' | 'training' | 'personal_protection' | 'emergency'
export type ManagementLevel = 'company' | 'department' | 'workshop' | 'team'
export type ReviewState = 'ok' | 'due_soon' | 'overdue'

export const LEVELS: RiskLevel[] = ['major', 'high', 'medium', 'low']
export const POINT_KINDS: PointKind[] = ['area', 'equipment_facility', 'operation', 'activity']
export const MEASURE_KINDS: MeasureKind[] = ['engineering', 'management', 'training', 'personal_protection', 'emergency']
export const MANAGEMENT_LEVELS: ManagementLevel[] = ['company', 'department', 'workshop', 'team']

export interface RiskPoint {
  id: number
  enterpriseId: number
  enterpriseName?: string | null
  code: string
  name: string
  kind: PointKind
  location?: string | null
  hazardFactors: string[]
  accidentTypes: string[]
  responsiblePerson?: string | null
  responsiblePhone?: string | null
  consequences?: string | null
  emergencyActions?: string | null
  emergencyContacts?: string | null
  reviewCycleMonths?: number | null
  nextReviewDue?: string | null
  reviewState?: ReviewState | null
  level?: RiskLevel | null
  colour?: RiskColour | null
  value?: number | null
  lastAssessedOn?: string | null
  status: string
  measureCount: number
  managementGap?: ManagementLevel | null
  managementWarning?: string | null
  createdAt: string
  updatedAt: string
}

export interface Assessment {
  id: number
  riskPointId: number
  method: 'lec' | 'ls'
  inputs: Record<string, number | string>
  value: number
  level: RiskLevel
  colour: RiskColour
  assessor: string
  assessedOn: string
  note?: string | null
  recordedBy: number
  createdAt: string
}

export interface LevelChange {
  id: number
  assessmentId?: number | null
  fromLevel?: RiskLevel | null
  toLevel: RiskLevel
  effectiveOn: string
  reason?: string | null
  changedBy: number
  changedByName?: string | null
  changedAt: string
}

export interface Measure {
  id: number
  riskPointId: number
  kind: MeasureKind
  content: string
  managementLevel: ManagementLevel
  responsiblePerson?: string | null
  sort: number
}

export interface Measures {
  rows: Measure[]
  managementGap?: ManagementLevel | null
  managementWarning?: string | null
}

export interface History { assessments: Assessment[]; changes: LevelChange[] }

export interface RiskListRow { point: RiskPoint; level?: RiskLevel | null; colour?: RiskColour | null; measures: Measure[] }
export interface RiskList { asOf?: string | null; counts: Record<string, number>; rows: RiskListRow[] }

export interface CodeName { code: string; name: string }
export interface RiskCard {
  point: RiskPoint
  levelName: string
  hazards: CodeName[]
  accidentTypes: CodeName[]
  measures: Measure[]
  url: string
  qrSvg: string
}

export interface ScaleItem { value: number; meaning: string }
export interface RiskScales {
  lecL: ScaleItem[]
  lecE: ScaleItem[]
  lecC: ScaleItem[]
  lecBands: string
  lsL: ScaleItem[]
  lsS: ScaleItem[]
  lsBands: string
  reviewCycles: Record<RiskLevel, number>
  minManagementLevel: Record<RiskLevel, ManagementLevel>
}

export interface AssessResult { assessment: Assessment; change?: LevelChange | null; point: RiskPoint }

export const riskPointApi = {
  list: (q: Query) => http.get<PageResult<RiskPoint>>('/api/risk-points', q),
  get: (id: Id) => http.get<RiskPoint>(`/api/risk-points/${id}`),
  create: (b: Body) => http.post<RiskPoint>('/api/risk-points', b),
  update: (id: Id, b: Body) => http.put<RiskPoint>(`/api/risk-points/${id}`, b),
  remove: (id: Id) => http.del<void>(`/api/risk-points/${id}`),
  assess: (id: Id, b: Body) => http.post<AssessResult>(`/api/risk-points/${id}/assessments`, b),
  history: (id: Id) => http.get<History>(`/api/risk-points/${id}/history`),
  measures: (id: Id) => http.get<Measures>(`/api/risk-points/${id}/measures`),
  addMeasure: (id: Id, b: Body) => http.post<Measures>(`/api/risk-points/${id}/measures`, b),
  updateMeasure: (id: Id, mid: Id, b: Body) => http.put<Measures>(`/api/risk-points/${id}/measures/${mid}`, b),
  removeMeasure: (id: Id, mid: Id) => http.del<Measures>(`/api/risk-points/${id}/measures/${mid}`),
  card: (id: Id) => http.get<RiskCard>(`/api/risk-points/${id}/card`),
}

export const riskListApi = {
  get: (q: Query) => http.get<RiskList>('/api/risk-list', q),
  exportFile: (q: Query) => download('/api/risk-list/export', q, `四色风险清单${q.asOf ? '-' + q.asOf : ''}.xlsx`),
}

export const riskReviewApi = {
  list: (q: Query) => http.get<PageResult<RiskPoint>>('/api/risk-reviews', q),
}

export const riskScales = () => http.get<RiskScales>('/api/risk-scales')
