export interface PageResult<T> {
  total: number
  rows: T[]
}

export interface LoginResponse {
  token: string
  expiresAt: string
  mustChangePassword: boolean
}

export interface UserDto {
  id: number
  username: string
  nickname: string
  phone?: string | null
  email?: string | null
  departmentId?: number | null
  enterpriseId?: number | null
  regionId?: number | null
  status: string
  mustChangePassword: boolean
  lockedUntil?: string | null
  lastLoginAt?: string | null
  lastLoginIp?: string | null
  roleIds: number[]
  remark?: string | null
  createdAt: string
}

export interface MenuNode {
  id: number
  parentId: number
  name: string
  menuType: 'M' | 'C' | 'F' | string
  path?: string | null
  component?: string | null
  perms?: string | null
  icon?: string | null
  sort: number
  children: MenuNode[]
}

export interface PasswordPolicy {
  minLength: number
  minClasses: number
}

export interface Me {
  user: UserDto
  roles: string[]
  permissions: string[]
  dataScopes: string[]
  menus: MenuNode[]
  passwordPolicy: PasswordPolicy
}

export interface DictData {
  id: number
  dictType: string
  label: string
  value: string
  sort: number
  status: string
  remark?: string | null
}

export interface RegionDto {
  id: number
  code: string
  name: string
  level: string
  parentId?: number | null
  path: string
  sort: number
  children?: RegionDto[] | null
}

export interface DepartmentDto {
  id: number
  name: string
  [k: string]: unknown
}

export interface Enterprise {
  id: number
  name: string
  uscc: string
  address: string
  longitude?: number | null
  latitude?: number | null
  industryCode: string
  supervisionCategory: string
  scale: string
  employeeCount: number
  principalName: string
  principalPhone?: string | null
  safetyManagerName?: string | null
  safetyManagerPhone?: string | null
  contactPhone?: string | null
  departmentId?: number | null
  regionId: number
  status: string
  remark?: string | null
  createdAt: string
  updatedAt: string
}

export type EnterpriseInput = Omit<Enterprise, 'id' | 'createdAt' | 'updatedAt' | 'status'> & { status?: string | null }

export interface Count {
  key: string
  label: string
  count: number
}

export interface EnterpriseStats {
  total: number
  byCategory: Count[]
  byDistrict: Count[]
}

export interface Dossier {
  enterprise: Enterprise
  regionPath: RegionDto[]
  accounts: UserDto[]
  department?: DepartmentDto | null
}

export interface RowError {
  row: number
  column: string
  field: string
  message: string
}

export interface ImportReport {
  code: string
  message: string
  totalRows: number
  validRows: number
  imported: number
  errors: RowError[]
}
