import { http, type Query } from '@/utils/request'
import type { DictData, MenuNode, PageResult, RegionDto, UserDto } from './types'

type Body = Record<string, unknown>
type Id = number | string

export const getDicts = (type: string) => http.get<DictData[]>(`/api/dict/data/type/${type}`)
export const getRegionTree = () => http.get<RegionDto[]>('/api/regions')

/** REST resource helpers for the system pages. */
function resource<T>(base: string) {
  return {
    list: (q: Query) => http.get<PageResult<T>>(base, q),
    get: (id: Id) => http.get<T>(`${base}/${id}`),
    create: (b: Body) => http.post<T>(base, b),
    update: (id: Id, b: Body) => http.put<T>(`${base}/${id}`, b),
    remove: (id: Id) => http.del<void>(`${base}/${id}`),
  }
}

export interface RoleDto { id: number; roleKey: string; name: string; dataScope: string; status: string; sort: number; builtin: boolean; menuIds?: number[] | null; remark?: string | null }
export interface DepartmentRow { id: number; name: string; kind: string; parentId?: number | null; regionId?: number | null; leader?: string | null; phone?: string | null; supervisedCategories: string[]; industryCodes: string[]; status: string; sort: number }
export interface DictTypeDto { id: number; dictType: string; name: string; status: string; builtin: boolean; remark?: string | null }
export interface ParamDto { id: number; paramKey: string; name: string; value: string; builtin: boolean; remark?: string | null }
export interface OperLogDto { id: number; method: string; path: string; statusCode: number; durationMs: number; createdAt: string; ip?: string | null; request?: string | null; userId?: number | null; username?: string | null }
export interface LoginLogDto { id: number; username: string; success: boolean; message: string; createdAt: string; ip?: string | null; userAgent?: string | null }
export interface OnlineSession { sessionId: number; userId: number; username: string; nickname: string; loginAt: string; lastSeenAt: string; expiresAt: string; ip?: string | null; userAgent?: string | null }

export const userApi = { ...resource<UserDto>('/api/users'), resetPassword: (id: Id, password: string) => http.put<void>(`/api/users/${id}/password`, { password }) }
export const roleApi = resource<RoleDto>('/api/roles')
export const departmentApi = resource<DepartmentRow>('/api/departments')
export const regionApi = { ...resource<RegionDto>('/api/regions'), list: () => getRegionTree() }
export const paramApi = resource<ParamDto>('/api/params')
export const dictTypeApi = resource<DictTypeDto>('/api/dict/types')
export const dictDataApi = {
  create: (b: Body) => http.post<DictData>('/api/dict/data', b),
  update: (id: Id, b: Body) => http.put<DictData>(`/api/dict/data/${id}`, b),
  remove: (id: Id) => http.del<void>(`/api/dict/data/${id}`),
}
export const getMenuTree = () => http.get<MenuNode[]>('/api/menus')
export const operLogApi = { list: (q: Query) => http.get<PageResult<OperLogDto>>('/api/monitor/operlog', q) }
export const loginLogApi = { list: (q: Query) => http.get<PageResult<LoginLogDto>>('/api/monitor/logininfor', q) }
export const onlineApi = {
  list: (q: Query) => http.get<PageResult<OnlineSession>>('/api/monitor/online', q),
  forceLogout: (id: Id) => http.del<void>(`/api/monitor/online/${id}`),
}
