import { getToken, removeToken } from './auth'

/** The body of every error response of the anjian API. */
export interface ErrorBody {
  code: string
  message: string
  fields: Record<string, string>
}

/** An error answered by the API (or a network failure, with status 0). */
export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly fields: Record<string, string>
  /** The whole parsed body (an import report on 422 from the import endpoint, for example). */
  readonly body: unknown

  constructor(status: number, code: string, message: string, fields: Record<string, string> = {}, body?: unknown) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fields = fields
    this.body = body
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE'
  params?: Query
  /** JSON body, or FormData / Blob sent as is. */
  data?: unknown
  /** Return the Response's Blob instead of parsing JSON. */
  blob?: boolean
  /** Do not run the 401 / password-change redirects (the login call itself). */
  skipAuthRedirect?: boolean
}

function currentPath(): string {
  return window.location.pathname + window.location.search
}

/** What happens when the session is gone or the password must be changed. Replaced by main.ts with router-aware versions. */
export const authHandlers = {
  unauthorized(): void {
    removeToken()
    const here = currentPath()
    if (!window.location.pathname.startsWith('/login')) {
      window.location.assign('/login?redirect=' + encodeURIComponent(here))
    }
  },
  passwordChangeRequired(): void {
    if (!window.location.pathname.startsWith('/change-password')) {
      window.location.assign('/change-password')
    }
  },
}

export function buildUrl(url: string, params?: Query): string {
  if (!params) return url
  const qs = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue
    qs.append(k, String(v))
  }
  const s = qs.toString()
  return s ? url + (url.includes('?') ? '&' : '?') + s : url
}

/** Turn a failed Response into an ApiError; never throws anything else. */
export async function toApiError(res: Response): Promise<ApiError> {
  let body: unknown = undefined
  try {
    const text = await res.text()
    body = text ? JSON.parse(text) : undefined
  } catch {
    body = undefined
  }
  const b = (body ?? {}) as Partial<ErrorBody>
  const code = typeof b.code === 'string' ? b.code : 'http_' + res.status
  const message = typeof b.message === 'string' && b.message ? b.message : res.statusText || 'HTTP ' + res.status
  const fields = b.fields && typeof b.fields === 'object' ? (b.fields as Record<string, string>) : {}
  return new ApiError(res.status, code, message, fields, body)
}

export async function request<T = unknown>(url: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const token = getToken()
  if (token) headers.Authorization = 'Bearer ' + token
  let body: BodyInit | undefined
  if (opts.data instanceof FormData || opts.data instanceof Blob) {
    body = opts.data
  } else if (opts.data !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.data)
  }
  let res: Response
  try {
    res = await fetch(buildUrl(url, opts.params), { method: opts.method ?? 'GET', headers, body })
  } catch (e) {
    throw new ApiError(0, 'network', e instanceof Error ? e.message : String(e))
  }
  if (!res.ok) {
    const err = await toApiError(res)
    if (!opts.skipAuthRedirect) {
      if (err.status === 401) authHandlers.unauthorized()
      else if (err.status === 403 && err.code === 'password_change_required') authHandlers.passwordChangeRequired()
    }
    throw err
  }
  if (opts.blob) return (await res.blob()) as T
  if (res.status === 204) return undefined as T
  const text = await res.text()
  return (text ? JSON.parse(text) : undefined) as T
}

export const http = {
  get: <T>(url: string, params?: Query) => request<T>(url, { params }),
  post: <T>(url: string, data?: unknown, params?: Query) => request<T>(url, { method: 'POST', data, params }),
  put: <T>(url: string, data?: unknown) => request<T>(url, { method: 'PUT', data }),
  del: <T>(url: string) => request<T>(url, { method: 'DELETE' }),
}

/** Fetch a file with the token and hand it to the browser as a download. */
export async function download(url: string, params: Query, fallbackName: string): Promise<void> {
  const headers: Record<string, string> = {}
  const token = getToken()
  if (token) headers.Authorization = 'Bearer ' + token
  const res = await fetch(buildUrl(url, params), { headers })
  if (!res.ok) {
    const err = await toApiError(res)
    if (err.status === 401) authHandlers.unauthorized()
    throw err
  }
  const blob = await res.blob()
  let name = fallbackName
  const cd = res.headers.get('content-disposition') ?? ''
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd)
  const plain = /filename="?([^";]+)"?/i.exec(cd)
  if (star) name = decodeURIComponent(star[1])
  else if (plain) name = plain[1]
  const a = document.createElement('a')
  a.href = URL.createObjectURL(blob)
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(a.href), 1000)
}
