import { http, request, download, type Query } from '@/utils/request'
import type { PageResult } from './types'

type Id = number | string

export type HdStatus = 'reported' | 'confirmed' | 'rejected' | 'assigned' | 'in_remediation' | 'submitted' | 'closed'
export type HdLevel = 'general' | 'major'
export type HdSource = 'ad_hoc' | 'inspection' | 'alarm' | 'enforcement'
export type Escalation = 'none' | 'enterprise' | 'department' | 'bureau'
export type HdAction =
  | 'confirm' | 'reject' | 'assign' | 'start' | 'submit' | 'verify' | 'send_back' | 'reopen'
  | 'request_extension' | 'approve_extension' | 'refuse_extension'

export const HD_STATUSES: HdStatus[] = ['reported', 'confirmed', 'rejected', 'assigned', 'in_remediation', 'submitted', 'closed']
export const HD_LEVELS: HdLevel[] = ['general', 'major']
export const HD_SOURCES: HdSource[] = ['ad_hoc', 'inspection', 'alarm', 'enforcement']

export interface FiveAssurances {
  measures: string
  fundsCny: number
  timeLimit: string
  responsiblePerson: string
  contingencyPlan: string
}

export interface HiddenDanger {
  id: number
  code: string
  enterpriseId: number
  enterpriseName?: string | null
  source: HdSource
  inspectionTaskId?: number | null
  checklistItemId?: number | null
  alarmId?: number | null
  riskPointId?: number | null
  description: string
  location?: string | null
  longitude?: number | null
  latitude?: number | null
  photoIds: number[]
  hazardFactorCode?: string | null
  hazardCategory?: string | null
  level: HdLevel
  criteriaStandard?: string | null
  criteriaItem?: number | null
  majorJudgement?: string | null
  status: HdStatus
  reporterId?: number | null
  reporterName: string
  reportedAt: string
  confirmedAt?: string | null
  department?: string | null
  remediatorId?: number | null
  remediatorName?: string | null
  deadline?: string | null
  measures?: string | null
  fiveAssurances?: FiveAssurances | null
  evidenceIds: number[]
  evidenceDescription?: string | null
  submittedBy?: number | null
  submittedAt?: string | null
  verifierId?: number | null
  verifierName?: string | null
  closedAt?: string | null
  pendingExtensionId?: number | null
  escalation: Escalation
  overdue: boolean
  daysOverdue?: number | null
  supervised: boolean
  updatedAt: string
}

export interface HdEvent {
  id: number
  action: string
  fromStatus?: string | null
  toStatus: string
  actorId?: number | null
  actorName: string
  comment?: string | null
  attachmentIds: number[]
  at: string
}

export interface Extension {
  id: number
  hiddenDangerId: number
  requestedBy: number
  requesterName: string
  requestedAt: string
  oldDeadline?: string | null
  newDeadline: string
  reason: string
  status: 'pending' | 'approved' | 'refused' | 'cancelled'
  deciderName?: string | null
  decidedAt?: string | null
  decisionComment?: string | null
}

export interface Progress { id: number; reporterName: string; content: string; attachmentIds: number[]; createdAt: string }

export interface Supervision {
  id: number
  hiddenDangerId: number
  code: string
  description: string
  recordStatus: HdStatus
  enterpriseId: number
  enterpriseName?: string | null
  govLevel: 'city' | 'district'
  organName: string
  supervisorName: string
  documentNo?: string | null
  requirements: string
  deadline: string
  status: 'open' | 'lifted'
  overdue: boolean
  createdAt: string
  lifterName?: string | null
  liftedAt?: string | null
  liftReason?: string | null
  progress: Progress[]
}

export interface Attachment { id: number; fileName: string; contentType: string; sizeBytes: number; url: string }

export interface HiddenDangerDetail extends HiddenDanger {
  events: HdEvent[]
  extensions: Extension[]
  supervisions: Supervision[]
  photos: Attachment[]
  evidence: Attachment[]
  allowedActions: HdAction[]
  canSupervise: boolean
}

export interface Bucket { key: string; label?: string | null; count: number; closed: number; overdue: number }
export interface HdStats {
  total: number
  major: number
  closed: number
  closedOnTime: number
  onTimeRate?: number | null
  overdue: number
  supervised: number
  byStatus: Bucket[]
  byLevel: Bucket[]
  byCategory: Bucket[]
  byRegion: Bucket[]
  byEnterprise: Bucket[]
}

export interface Staff { id: number; nickname: string; username: string; roleKeys: string[] }

export interface ReportBody {
  enterpriseId?: number
  source?: HdSource
  description: string
  location?: string
  longitude?: number
  latitude?: number
  photoIds: number[]
  hazardFactorCode?: string
  riskPointId?: number
  inspectionTaskId?: number
  checklistItemId?: number
}

export interface AssignBody {
  remediatorId: number
  department: string
  deadline: string
  measures: string
  fiveAssurances?: FiveAssurances
}

export interface Notification { id: number; kind: string; title: string; body: string; link?: string | null; createdAt: string; read: boolean }

const base = '/api/hidden-dangers'
const act = (id: Id, action: string, body?: unknown) => http.post<HiddenDangerDetail>(`${base}/${id}/${action}`, body ?? {})

export const hdApi = {
  list: (q: Query) => http.get<PageResult<HiddenDanger>>(base, q),
  overdue: (q: Query) => http.get<PageResult<HiddenDanger>>(`${base}/overdue`, q),
  get: (id: Id) => http.get<HiddenDangerDetail>(`${base}/${id}`),
  report: (b: ReportBody) => http.post<HiddenDanger>(base, b),
  export: (q: Query) => download(`${base}/export`, q, '隐患台账.xlsx'),
  confirm: (id: Id, b: { level?: HdLevel; criteriaStandard?: string; criteriaItem?: number; majorJudgement?: string; comment?: string }) => act(id, 'confirm', b),
  reject: (id: Id, reason: string) => act(id, 'reject', { reason }),
  assign: (id: Id, b: AssignBody) => act(id, 'assign', b),
  start: (id: Id) => act(id, 'start'),
  submit: (id: Id, description: string, evidenceIds: number[]) => act(id, 'submit', { description, evidenceIds }),
  verify: (id: Id, comment?: string) => act(id, 'verify', { comment }),
  sendBack: (id: Id, reason: string) => act(id, 'send-back', { reason }),
  reopen: (id: Id, reason: string) => act(id, 'reopen', { reason }),
  requestExtension: (id: Id, newDeadline: string, reason: string) => act(id, 'extension', { newDeadline, reason }),
  approveExtension: (extId: Id, comment?: string) => http.post<HiddenDangerDetail>(`/api/hidden-danger-extensions/${extId}/approve`, { comment }),
  refuseExtension: (extId: Id, reason: string) => http.post<HiddenDangerDetail>(`/api/hidden-danger-extensions/${extId}/refuse`, { reason }),
  fromAlarm: (alarmId: Id, description?: string) => http.post<HiddenDanger>(`/api/alarms/${alarmId}/hidden-danger`, description ? { description } : {}),
  staff: (enterpriseId?: Id) => http.get<Staff[]>('/api/enterprise-staff', { enterpriseId }),
  supervise: (id: Id, b: { deadline: string; requirements: string; documentNo?: string }) => http.post<Supervision>(`${base}/${id}/supervision`, b),
  supervisions: (q: Query) => http.get<PageResult<Supervision>>('/api/listed-supervisions', q),
  progress: (supId: Id, content: string, attachmentIds: number[] = []) => http.post<Supervision>(`/api/listed-supervisions/${supId}/progress`, { content, attachmentIds }),
  lift: (supId: Id, reason: string) => http.post<Supervision>(`/api/listed-supervisions/${supId}/lift`, { reason }),
  stats: (q: Query) => http.get<HdStats>('/api/hidden-danger-stats', q),
  exportStats: (q: Query) => download('/api/hidden-danger-stats/export', q, '隐患统计.xlsx'),
  criteria: (standard = 'chemical-2017') => http.post<{ items: Array<{ item: number; text: string }> }>('/api/calc/major-hidden-danger', { standard }),
}

/** Uploads a photo or document; returns its metadata. */
export function uploadAttachment(file: File | Blob, name = 'photo.jpg') {
  const fd = new FormData()
  fd.append('file', file, (file as File).name || name)
  return request<Attachment>('/api/attachments', { method: 'POST', data: fd })
}

/** An object URL of an attachment (fetched with the token); revoke it when done. */
export async function attachmentUrl(id: number): Promise<string> {
  const blob = await request<Blob>(`/api/attachments/${id}`, { blob: true })
  return URL.createObjectURL(blob)
}

export const notificationApi = {
  list: (q: Query) => http.get<PageResult<Notification>>('/api/notifications', q),
  read: (ids?: number[]) => http.post<{ marked: number }>('/api/notifications/read', ids ? { ids } : {}),
}
