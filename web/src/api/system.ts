import { http } from '@/utils/request'
import type { DictData, RegionDto } from './types'

export const getDicts = (type: string) => http.get<DictData[]>(`/api/dict/data/type/${type}`)
export const getRegionTree = () => http.get<RegionDto[]>('/api/regions')
