import { http, request, download, type Query } from '@/utils/request'
import type { Dossier, Enterprise, EnterpriseInput, EnterpriseStats, ImportReport, PageResult } from './types'

export const listEnterprises = (q: Query) => http.get<PageResult<Enterprise>>('/api/enterprises', q)
export const getEnterprise = (id: number) => http.get<Enterprise>(`/api/enterprises/${id}`)
export const addEnterprise = (e: EnterpriseInput) => http.post<Enterprise>('/api/enterprises', e)
export const updateEnterprise = (id: number, e: EnterpriseInput) => http.put<Enterprise>(`/api/enterprises/${id}`, e)
export const delEnterprise = (id: number) => http.del<void>(`/api/enterprises/${id}`)
export const getDossier = (id: number) => http.get<Dossier>(`/api/enterprises/${id}/dossier`)
export const getEnterpriseStats = () => http.get<EnterpriseStats>('/api/enterprises/stats')

export const downloadImportTemplate = () => download('/api/enterprises/import-template', {}, '企业导入模板.xlsx')
export const exportEnterprises = (q: Query, format: 'xlsx' | 'csv') =>
  download('/api/enterprises/export', { ...q, pageNum: undefined, pageSize: undefined, format }, `企业档案.${format}`)

export function importEnterprises(file: File, importValid: boolean): Promise<ImportReport> {
  const fd = new FormData()
  fd.append('file', file)
  return request<ImportReport>('/api/enterprises/import', { method: 'POST', data: fd, params: { importValid } })
}
