import { http, type Query } from '@/utils/request'
import type { PageResult } from './types'

type Id = number | string

export type UnitKind = 'production' | 'storage'
export type FilingStatus = 'not_filed' | 'filed' | 'cancelled'
export type BetaRule = 'max' | 'governing_class'

export const UNIT_KINDS: UnitKind[] = ['production', 'storage']
export const FILING_STATUSES: FilingStatus[] = ['not_filed', 'filed', 'cancelled']
export const GRADES = [1, 2, 3, 4] as const

/** One substance line: q is the maximum design quantity in tonnes, as decimal text. */
export interface Substance {
  name?: string | null
  cas?: string | null
  variant?: number | null
  hazardClasses: string[]
  quantityTonnes: string
}

export interface WorkingSubstance {
  name?: string | null
  cas?: string | null
  table1No?: number | null
  quantityTonnes: string
  q: number
  thresholdTonnes: number
  thresholdSource: 'table1' | 'table2'
  thresholdClass?: string | null
  beta: number
  betaSource: 'table3' | 'table4'
  betaClass?: string | null
  ratio: number
  ratioExact: string
  weightedRatio: number
}

/** The working of GB 18218-2018: S = Σ q/Q, R = α·Σ β·q/Q. */
export interface Working {
  s: number
  sExact: string
  isMajor: boolean
  alpha: number
  exposedPopulation: number
  weightedSum: number
  r?: number | null
  rExact?: string | null
  grade?: number | null
  gradeLabel?: string | null
  betaRule: BetaRule
  substances: WorkingSubstance[]
}

export interface Camera { name: string; url: string }

export interface Installation {
  id: number
  enterpriseId: number
  enterpriseName?: string | null
  code: string
  name: string
  unitKind: UnitKind
  location?: string | null
  longitude?: number | null
  latitude?: number | null
  exposedPopulation: number
  betaRule: BetaRule
  substances: Substance[]
  s: number
  sExact: string
  isMajor: boolean
  r?: number | null
  rExact?: string | null
  grade?: number | null
  gradeLabel?: string | null
  working: Working
  filingStatus: FilingStatus
  filingDate?: string | null
  filingNumber?: string | null
  principalName?: string | null
  principalPhone?: string | null
  technicalName?: string | null
  technicalPhone?: string | null
  operationalName?: string | null
  operationalPhone?: string | null
  cameraLinks: Camera[]
  sensorIds: number[]
  remark?: string | null
  createdAt: string
  updatedAt: string
}

export interface InstallationAssessment {
  id: number
  installationId: number
  assessedAt: string
  assessedBy?: number | null
  assessorName: string
  trigger: 'create' | 'inventory' | 'population' | 'manual'
  reason: string
  s: number
  sExact: string
  isMajor: boolean
  r?: number | null
  rExact?: string | null
  grade?: number | null
  previousIsMajor?: boolean | null
  previousGrade?: number | null
  exposedPopulation: number
  working: Working
}

export interface LinkedSensor { id: number; code: string; name: string; quantity: string; unit: string; value?: number | null; ts?: number | null }

export interface Preview { s: number; sExact: string; isMajor: boolean; r?: number | null; rExact?: string | null; grade?: number | null; gradeLabel?: string | null; working: Working }

export const majorHazardApi = {
  list: (q: Query) => http.get<PageResult<Installation>>('/api/major-hazards', q),
  get: (id: Id) => http.get<Installation>(`/api/major-hazards/${id}`),
  create: (b: unknown) => http.post<Installation>('/api/major-hazards', b),
  update: (id: Id, b: unknown) => http.put<Installation>(`/api/major-hazards/${id}`, b),
  remove: (id: Id) => http.del<void>(`/api/major-hazards/${id}`),
  assessments: (id: Id) => http.get<InstallationAssessment[]>(`/api/major-hazards/${id}/assessments`),
  reassess: (id: Id, note?: string) => http.post<InstallationAssessment>(`/api/major-hazards/${id}/assessments`, { note: note || null }),
  sensors: (id: Id) => http.get<LinkedSensor[]>(`/api/major-hazards/${id}/sensors`),
  preview: (b: unknown) => http.post<Preview>('/api/major-hazards/preview', b),
}

/** Tag colour of a grade (一级 red … 四级 blue), the same colours as the risk levels. */
export function gradeStyle(grade?: number | null): Record<string, string> {
  const hex: Record<number, string> = { 1: '#e53935', 2: '#fb8c00', 3: '#fdd835', 4: '#1e88e5' }
  const c = grade ? hex[grade] : undefined
  if (!c) return { background: '#f4f4f5', color: '#909399', borderColor: '#e9e9eb' }
  return { background: c, color: grade === 3 ? '#303133' : '#ffffff', borderColor: c }
}
