import { http, type Query } from '@/utils/request'
import type { RiskLevel } from './risk'

/** An enterprise on the situation map (`level` null = 未评估). */
export interface MapPoint {
  id: number
  name: string
  lon: number | null
  lat: number | null
  level: RiskLevel | null
  score: number | null
  regionId: number
  districtId: number
  category: string
}

/** A region outline (GeoJSON Polygon / MultiPolygon, WGS 84). */
export interface RegionOutline {
  id: number
  name: string
  level: string
  parentId: number | null
  boundary: GeoJSON.Polygon | GeoJSON.MultiPolygon
}

export interface SituationMap {
  enterprises: MapPoint[]
  regions: RegionOutline[]
}

export interface KeyCount {
  key: string
  count: number
}

export interface RegionCounts {
  regionId: number
  name: string
  enterprises: number
  major: number
  high: number
  medium: number
  low: number
  unassessed: number
  activeAlarms: number
  openHiddenDangers: number
  overdueHiddenDangers: number
}

export interface SituationSummary {
  enterprises: number
  byRegion: RegionCounts[]
  byCategory: KeyCount[]
  byLevel: KeyCount[]
  activeAlarms: number
  activeAlarmsByPriority: KeyCount[]
  openHiddenDangers: number
  openMajorHiddenDangers: number
  overdueHiddenDangers: number
  installationsByGrade: KeyCount[]
  majorInstallations: number
}

export interface FeedAlarm {
  id: number
  enterpriseId: number | null
  enterpriseName: string | null
  sensorId: number | null
  sensorName: string | null
  unit: string | null
  source: string
  condition: string
  priority: 'critical' | 'high' | 'medium' | 'low'
  state: string
  startedAt: number
  lastValue: number | null
}

export interface OverdueHd {
  id: number
  code: string
  enterpriseId: number
  enterpriseName: string | null
  level: 'general' | 'major'
  status: string
  description: string
  deadline: string | null
  deadlineAt: string | null
  daysOverdue: number
}

export interface TopRisk {
  enterpriseId: number
  name: string
  regionId: number
  score: number
  level: RiskLevel
  summary: string
  breakdown: unknown
  computedAt: string
}

export interface TrendDay {
  date: string
  alarms: number
  hiddenDangersReported: number
  hiddenDangersClosed: number
}

export interface SituationSettings {
  tileUrl: string
  tileAttribution: string
}

export interface RegionStat {
  regionId: number
  code: string
  name: string
  level: string
  enterprises: number
  risk: { major: number; high: number; medium: number; low: number; none: number }
  installationsByGrade: [number, number, number, number]
  alarms: number
  alarmsCritical: number
  alarmsHigh: number
  activeAlarms: number
  hiddenDangersReported: number
  hiddenDangersMajor: number
  hiddenDangersClosed: number
  hiddenDangersOpen: number
  hiddenDangersOverdue: number
}

export interface RegionStats {
  from: string
  to: string
  regionId: number | null
  rows: RegionStat[]
  total: RegionStat
}

const r = (regionId?: number | null): Query => (regionId ? { regionId } : {})

export const situationApi = {
  map: (regionId?: number | null) => http.get<SituationMap>('/api/situation/map', r(regionId)),
  summary: (regionId?: number | null) => http.get<SituationSummary>('/api/situation/summary', r(regionId)),
  alarms: (regionId?: number | null, limit = 20) =>
    http.get<{ total: number; rows: FeedAlarm[] }>('/api/situation/alarms', { ...r(regionId), limit }),
  overdue: (regionId?: number | null, limit = 10) =>
    http.get<{ total: number; rows: OverdueHd[] }>('/api/situation/overdue-hidden-dangers', { ...r(regionId), limit }),
  topRisks: (regionId?: number | null, limit = 10) => http.get<TopRisk[]>('/api/situation/top-risks', { ...r(regionId), limit }),
  trends: (regionId?: number | null, days = 30) => http.get<TrendDay[]>('/api/situation/trends', { ...r(regionId), days }),
  settings: () => http.get<SituationSettings>('/api/situation/settings'),
  regionStats: (q: { regionId?: number | null; from?: string; to?: string }) =>
    http.get<RegionStats>('/api/stats/regions', { ...r(q.regionId), from: q.from, to: q.to }),
}
