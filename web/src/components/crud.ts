import type { Query } from '@/utils/request'
import type { PageResult } from '@/api/types'

/** A label in both languages: [中文, English]. */
export type Label = [string, string]

export interface Option { label: string; value: string | number | boolean }

export interface ColumnDef {
  prop: string
  label: Label
  width?: number | string
  minWidth?: number | string
  /** Show a dictionary label for the code. */
  dict?: string
  format?: (row: Record<string, unknown>) => string
  tag?: (row: Record<string, unknown>) => 'success' | 'danger' | 'info' | 'warning' | 'primary'
  visible?: boolean
}

export interface FieldDef {
  prop: string
  label: Label
  type?: 'input' | 'password' | 'number' | 'textarea' | 'select' | 'multi' | 'tree' | 'switch' | 'datetime'
  dict?: string
  options?: Option[] | (() => Option[])
  treeData?: () => unknown[]
  required?: boolean
  /** Only on create (e.g. the initial password). */
  createOnly?: boolean
  /** Read-only when editing (e.g. a key). */
  lockOnEdit?: boolean
  span?: number
  placeholder?: string
  /** Smallest value of a number field (default 0; -Infinity for none). */
  min?: number
}

export interface CrudApi<T> {
  list: (q: Query) => Promise<PageResult<T> | T[]>
  create?: (body: Record<string, unknown>) => Promise<unknown>
  update?: (id: number | string, body: Record<string, unknown>) => Promise<unknown>
  remove?: (id: number | string) => Promise<unknown>
  get?: (id: number | string) => Promise<T>
}

export interface Perms { add?: string; edit?: string; remove?: string }

export function isDateKey(p: string) {
  return /At$|Time$/.test(p)
}

export function fmtDate(v: unknown): string {
  if (!v) return ''
  const d = new Date(String(v))
  if (Number.isNaN(d.getTime())) return String(v)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}
