import { http, request, download, type Query } from '@/utils/request'
import type { ImportReport, PageResult } from './types'

type Body = Record<string, unknown>
type Id = number | string

/** UTC epoch milliseconds. */
export type Millis = number

export type Priority = 'low' | 'medium' | 'high' | 'critical'
export type AlarmState = 'normal' | 'unacknowledged' | 'acknowledged' | 'returned_unacknowledged' | 'shelved' | 'suppressed' | 'out_of_service'
export type Condition = 'high_high' | 'high' | 'low' | 'low_low' | 'rate_of_change' | 'communication_fault' | 'sensor_fault' | 'device_offline' | 'voting'
export type LimitKind = 'high_high' | 'high' | 'low' | 'low_low'
export type EventKind =
  | 'raised' | 'cleared' | 'acknowledged' | 'escalated' | 'deescalated' | 'shelved' | 'unshelved'
  | 'suppressed' | 'unsuppressed' | 'out_of_service' | 'returned_to_service' | 'closed' | 'chattering'
export type SourceKind = 'sensor' | 'device' | 'group'
export type Quantity = 'combustible_gas' | 'toxic_gas' | 'oxygen' | 'temperature' | 'pressure' | 'level' | 'flow' | 'other'
export type DeviceKind = 'gateway' | 'dtu'
export type DeliveryStatus = 'pending' | 'delivered' | 'dead'

export const PRIORITIES: Priority[] = ['critical', 'high', 'medium', 'low']
export const STATES: AlarmState[] = ['unacknowledged', 'acknowledged', 'returned_unacknowledged', 'shelved', 'suppressed', 'out_of_service', 'normal']
export const CONDITIONS: Condition[] = ['high_high', 'high', 'low', 'low_low', 'rate_of_change', 'communication_fault', 'sensor_fault', 'device_offline', 'voting']
export const LIMIT_KINDS: LimitKind[] = ['high_high', 'high', 'low', 'low_low']
export const QUANTITIES: Quantity[] = ['combustible_gas', 'toxic_gas', 'oxygen', 'temperature', 'pressure', 'level', 'flow', 'other']
export const DEVICE_KINDS: DeviceKind[] = ['gateway', 'dtu']
export const CLOSE_REASONS = ['false_alarm', 'maintenance', 'handled', 'duplicate', 'other'] as const

export interface Device {
  id: number
  code: string
  name: string
  enterpriseId: number
  enterpriseName?: string | null
  kind: DeviceKind
  offlineAfterS?: number | null
  status: string
  online: boolean
  lastSeen?: Millis | null
  remark?: string | null
}

export interface ApiLimit {
  kind: LimitKind
  value: number
  priority: Priority
  deadband?: number | null
  deadbandPct?: number | null
  onDelayS?: number | null
  onDelaySamples?: number | null
  offDelayS?: number | null
  offDelaySamples?: number | null
  escalate?: { afterS: number; priority: Priority } | null
  deescalateAfterS?: number | null
}
export interface ApiRateOfChange { limit: number; windowS: number; direction: 'rise' | 'fall' | 'both'; priority: Priority }
export interface ApiSchedule { start: string; end: string; timezone?: string | null }
export interface SensorSettings {
  limits: ApiLimit[]
  rateOfChange?: ApiRateOfChange | null
  schedule?: ApiSchedule | null
}

export interface Latest { ts: Millis; value: number; quality: 'good' | 'bad' | string }

export interface Sensor {
  id: number
  code: string
  name: string
  deviceId?: number | null
  deviceCode?: string | null
  enterpriseId: number
  enterpriseName?: string | null
  quantity: Quantity
  unit: string
  rangeLow?: number | null
  rangeHigh?: number | null
  samplingPeriodS: number
  staleAfter: number
  area?: string | null
  settings: SensorSettings
  status: string
  latest?: Latest | null
  /** Not in the contract: shown as 停用/恢复 when the API provides it, else both buttons are offered. */
  outOfService?: boolean | null
}

export interface AlarmEventDto {
  kind: EventKind
  ts: Millis
  value?: number | null
  priority: Priority
  state: AlarmState
  actor?: string | null
  comment?: string | null
}

export interface Alarm {
  id: number
  sourceKind: SourceKind
  source: string
  /** Name of the sensor (or device / group), when known. */
  sourceName?: string | null
  /** Not in the contract; used when present to open the trend without a look-up. */
  sensorId?: number | null
  condition: Condition
  priority: Priority
  state: AlarmState
  active: boolean
  acknowledged: boolean
  startedAt: Millis
  clearedAt?: Millis | null
  endedAt?: Millis | null
  ackedAt?: Millis | null
  ackedBy?: string | null
  ackComment?: string | null
  closedBy?: string | null
  closeReason?: string | null
  shelvedUntil?: Millis | null
  firstValue?: number | null
  lastValue?: number | null
  unit?: string | null
  chattering: boolean
  enterpriseId?: number | null
  enterpriseName?: string | null
}
export interface AlarmDetail extends Alarm { events: AlarmEventDto[] }
/** One message of the SSE stream: the alarm row after the event, plus the event. */
export interface AlarmMessage extends Alarm { event: AlarmEventDto }

export interface AlarmSummary {
  unacknowledged: number
  active: number
  byPriority: Record<Priority, number>
  latest: Alarm[]
}

export interface TrendPoint { ts: Millis; min: number; max: number; avg: number }
export interface RawPoint { ts: Millis; value: number }
export interface TrendLimit { kind: LimitKind | string; value: number; priority: Priority }
export interface Trend { sensor: Sensor; limits: TrendLimit[]; points: TrendPoint[]; raw?: RawPoint[] | null }

export interface Kpis {
  alarmsPer10MinByArea: { area: string; average: number; peak: number }[]
  floodPercent: number
  chattering: { source: string; condition: Condition; raises: number }[]
  stale: { alarmId: number; source: string; condition: Condition; startedAt: Millis }[]
  top10: { source: string; condition: Condition; raises: number }[]
  totalRaises: number
}

export interface Webhook {
  id: number
  name: string
  url: string
  secret?: string | null
  enabled: boolean
  minPriority: Priority
  createdAt?: string | number | null
  updatedAt?: string | number | null
}
export interface Delivery {
  id: number
  webhookId: number
  alarmEventId: number
  status: DeliveryStatus
  attempts: number
  lastError?: string | null
  nextAttemptAt?: string | number | null
  createdAt?: string | number | null
}

function upload(url: string, file: File, importValid: boolean): Promise<ImportReport> {
  const fd = new FormData()
  fd.append('file', file)
  return request<ImportReport>(url, { method: 'POST', data: fd, params: { importValid } })
}

function resource<T>(base: string) {
  return {
    list: (q: Query) => http.get<PageResult<T>>(base, q),
    get: (id: Id) => http.get<T>(`${base}/${id}`),
    create: (b: Body) => http.post<T>(base, b),
    update: (id: Id, b: Body) => http.put<T>(`${base}/${id}`, b),
    remove: (id: Id) => http.del<void>(`${base}/${id}`),
  }
}

const noPage = (q: Query): Query => ({ ...q, pageNum: undefined, pageSize: undefined })

export const deviceApi = {
  ...resource<Device>('/api/devices'),
  importFile: (file: File, importValid: boolean) => upload('/api/devices/import', file, importValid),
  exportFile: (q: Query, format: 'xlsx' | 'csv' = 'xlsx') => download('/api/devices/export', { ...noPage(q), format }, `监测设备.${format}`),
  /** A new MQTT password, shown once. */
  newSecret: (id: Id) => http.post<{ username: string; password: string }>(`/api/devices/${id}/secret`),
}

export const sensorApi = {
  ...resource<Sensor>('/api/sensors'),
  importFile: (file: File, importValid: boolean) => upload('/api/sensors/import', file, importValid),
  exportFile: (q: Query, format: 'xlsx' | 'csv' = 'xlsx') => download('/api/sensors/export', { ...noPage(q), format }, `监测点.${format}`),
  trend: (id: Id, from: Millis, to: Millis) => http.get<Trend>(`/api/sensors/${id}/trend`, { from, to }),
  outOfService: (id: Id, comment: string) => http.post<void>(`/api/sensors/${id}/out-of-service`, { comment }),
  returnToService: (id: Id) => http.post<void>(`/api/sensors/${id}/return-to-service`),
}

export const alarmApi = {
  list: (q: Query) => http.get<PageResult<Alarm>>('/api/alarms', q),
  get: (id: Id) => http.get<AlarmDetail>(`/api/alarms/${id}`),
  ack: (id: Id, comment: string) => http.post<void>(`/api/alarms/${id}/ack`, { comment }),
  shelve: (id: Id, minutes: number, comment: string) => http.post<void>(`/api/alarms/${id}/shelve`, { minutes, comment }),
  unshelve: (id: Id) => http.post<void>(`/api/alarms/${id}/unshelve`),
  close: (id: Id, reason: string, comment: string) => http.post<void>(`/api/alarms/${id}/close`, { reason, comment }),
  summary: () => http.get<AlarmSummary>('/api/alarms/summary'),
  kpi: (from: Millis, to: Millis) => http.get<Kpis>('/api/alarms/kpi', { from, to }),
}

/** The SSE URL (EventSource cannot send headers, so the token goes in the query). */
export function alarmStreamUrl(token: string): string {
  return '/api/alarms/stream?token=' + encodeURIComponent(token)
}

export const webhookApi = {
  list: (q: Query) => http.get<PageResult<Webhook>>('/api/webhooks', q),
  create: (b: Body) => http.post<Webhook>('/api/webhooks', b),
  update: (id: Id, b: Body) => http.put<Webhook>(`/api/webhooks/${id}`, b),
  remove: (id: Id) => http.del<void>(`/api/webhooks/${id}`),
  deliveries: async (id: Id, q: Query = {}): Promise<PageResult<Delivery>> => {
    const res = await http.get<PageResult<Delivery> | Delivery[]>(`/api/webhooks/${id}/deliveries`, q)
    return Array.isArray(res) ? { rows: res, total: res.length } : res
  },
}
