import { http, request, type Query } from '@/utils/request'
import type { PageResult } from './types'

type Body = Record<string, unknown>
type Id = number | string

export type TaskStatus = 'pending' | 'completed' | 'missed'
export type ItemResult = 'pass' | 'fail' | 'not_applicable'
export const CHECKLIST_KINDS = ['daily', 'special', 'hot_work', 'confined_space', 'seasonal', 'holiday', 'comprehensive'] as const

export interface ChecklistItem {
  id?: number
  seq?: number
  content: string
  legalBasis?: string | null
  hazardFactorCode?: string | null
  majorCriteriaRef?: string | null
}
export interface Checklist {
  id: number
  enterpriseId?: number | null
  enterpriseName?: string | null
  shared: boolean
  name: string
  kind: string
  description?: string | null
  status: string
  itemCount: number
  items: ChecklistItem[]
  createdAt: string
  updatedAt: string
}
export interface Plan {
  id: number
  enterpriseId: number
  enterpriseName?: string | null
  checklistId: number
  checklistName?: string | null
  name: string
  post?: string | null
  riskPointId?: number | null
  cron: string
  windowHours: number
  assigneeId: number
  assigneeName?: string | null
  enabled: boolean
  generatedUntil: string
  nextOccurrences: string[]
  createdAt: string
  updatedAt: string
}
export interface Preset { key: string; label: string; cron: string; windowHours: number }
export interface Occurrence { scheduledAt: string; local: string; dueAt?: string | null }
export interface Preview { cron: string; occurrences: Occurrence[] }
export interface Task {
  id: number
  planId: number
  planName?: string | null
  post?: string | null
  riskPointId?: number | null
  enterpriseId: number
  enterpriseName?: string | null
  checklistId: number
  checklistName?: string | null
  assigneeId: number
  assigneeName?: string | null
  trigger: 'schedule' | 'manual'
  scheduledAt: string
  dueAt: string
  status: TaskStatus
  completedAt?: string | null
  completedBy?: number | null
  completedByName?: string | null
  longitude?: number | null
  latitude?: number | null
  location?: string | null
  photoIds: number[]
  note?: string | null
}
export interface TaskItem {
  itemId: number
  seq: number
  content: string
  legalBasis?: string | null
  hazardFactorCode?: string | null
  majorCriteriaRef?: string | null
  result?: ItemResult | null
  note?: string | null
  photoIds: number[]
}
export interface TaskDetail extends Task { items: TaskItem[]; canComplete: boolean }
export interface ResultBody { itemId: number; result: ItemResult | null; note?: string | null; photoIds: number[] }
export interface CompleteBody {
  results: ResultBody[]
  longitude?: number | null
  latitude?: number | null
  location?: string | null
  photoIds: number[]
  note?: string | null
}
export interface StatRow { enterpriseId: number; enterpriseName: string; total: number; completed: number; missed: number; pending: number; missedRate: number }
export interface Stats { from: string; to: string; rows: StatRow[]; total: StatRow }
export interface Staff { id: number; nickname: string; username: string; roleKeys?: string[] }
export interface RiskPointRow { id: number; code?: string; name: string; level?: string | null }
export interface Attachment { id: number; fileName: string; contentType: string; url: string }

export const checklistApi = {
  list: (q: Query) => http.get<PageResult<Checklist>>('/api/checklists', q),
  get: (id: Id) => http.get<Checklist>(`/api/checklists/${id}`),
  create: (b: Body) => http.post<Checklist>('/api/checklists', b),
  update: (id: Id, b: Body) => http.put<Checklist>(`/api/checklists/${id}`, b),
  remove: (id: Id) => http.del<void>(`/api/checklists/${id}`),
}

export const planApi = {
  list: (q: Query) => http.get<PageResult<Plan>>('/api/inspection-plans', q),
  get: (id: Id) => http.get<Plan>(`/api/inspection-plans/${id}`),
  create: (b: Body) => http.post<Plan>('/api/inspection-plans', b),
  update: (id: Id, b: Body) => http.put<Plan>(`/api/inspection-plans/${id}`, b),
  remove: (id: Id) => http.del<void>(`/api/inspection-plans/${id}`),
  run: (id: Id) => http.post<Task>(`/api/inspection-plans/${id}/run`),
  preview: (q: Query) => http.get<Preview>('/api/inspection-plans/preview', q),
  presets: () => http.get<Preset[]>('/api/inspection-plans/presets'),
}

export const taskApi = {
  list: (q: Query) => http.get<PageResult<Task>>('/api/inspection-tasks', q),
  get: (id: Id) => http.get<TaskDetail>(`/api/inspection-tasks/${id}`),
  complete: (id: Id, b: CompleteBody) => http.post<TaskDetail>(`/api/inspection-tasks/${id}/complete`, b),
  stats: (q: Query) => http.get<Stats>('/api/inspection-tasks/stats', q),
}

/** Staff of an enterprise (HD's endpoint); null when it is not available in this build. */
export async function enterpriseStaff(enterpriseId: number): Promise<Staff[] | null> {
  try {
    const r = await http.get<Staff[] | PageResult<Staff>>('/api/enterprise-staff', { enterpriseId })
    return Array.isArray(r) ? r : r.rows
  } catch {
    return null
  }
}

/** Risk points of an enterprise (RISK's endpoint); null when it is not available. */
export async function riskPoints(enterpriseId: number): Promise<RiskPointRow[] | null> {
  try {
    const r = await http.get<PageResult<RiskPointRow>>('/api/risk-points', { enterpriseId, pageSize: 500 })
    return r.rows
  } catch {
    return null
  }
}

export function uploadAttachment(file: File | Blob, name = 'photo.jpg') {
  const fd = new FormData()
  fd.append('file', file, file instanceof File ? file.name : name)
  return request<Attachment>('/api/attachments', { method: 'POST', data: fd })
}

/** Loads a stored file as an object URL (the download needs the bearer token). */
export async function attachmentUrl(id: number): Promise<string> {
  const blob = await request<Blob>(`/api/attachments/${id}`, { blob: true })
  return URL.createObjectURL(blob)
}

/** Reports a hidden danger through HD's endpoint. */
export function reportHiddenDanger(b: Body) {
  return http.post<{ id: number; code?: string }>('/api/hidden-dangers', b)
}

/** A UTC time as `YYYY-MM-DD HH:mm` in Asia/Shanghai (the schedules' zone). */
export function fmtShanghai(v?: string | null): string {
  if (!v) return ''
  const d = new Date(v)
  if (Number.isNaN(d.getTime())) return String(v)
  const s = new Date(d.getTime() + 8 * 3600_000).toISOString()
  return `${s.slice(0, 10)} ${s.slice(11, 16)}`
}
