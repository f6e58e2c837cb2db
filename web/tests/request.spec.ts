import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError, authHandlers, buildUrl, request } from '@/utils/request'
import { getToken, setToken } from '@/utils/auth'

function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

const noError = (): never => {
  throw new Error('expected an error')
}
const asApiError = (e: unknown) => e as ApiError

describe('request wrapper', () => {
  const fetchMock = vi.fn()
  const original = { ...authHandlers }

  beforeEach(() => {
    localStorage.clear()
    fetchMock.mockReset()
    vi.stubGlobal('fetch', fetchMock)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    Object.assign(authHandlers, original)
  })

  it('adds the bearer token and JSON body', async () => {
    setToken('abc123')
    fetchMock.mockResolvedValue(json(200, { ok: true }))
    const res = await request<{ ok: boolean }>('/api/enterprises', { method: 'POST', data: { name: 'x' } })
    expect(res).toEqual({ ok: true })
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/api/enterprises')
    expect(init.headers.Authorization).toBe('Bearer abc123')
    expect(init.headers['Content-Type']).toBe('application/json')
    expect(init.body).toBe('{"name":"x"}')
  })

  it('sends no Authorization header without a token', async () => {
    fetchMock.mockResolvedValue(json(200, []))
    await request('/api/health')
    expect(fetchMock.mock.calls[0][1].headers.Authorization).toBeUndefined()
  })

  it('builds query strings and skips empty values', () => {
    expect(buildUrl('/api/enterprises', { pageNum: 1, name: '', status: undefined, uscc: 'A B' })).toBe('/api/enterprises?pageNum=1&uscc=A+B')
  })

  it('maps {code,message,fields} into a typed ApiError', async () => {
    fetchMock.mockResolvedValue(json(422, { code: 'validation', message: '输入有误', fields: { uscc: '校验位错误' } }))
    const err = await request('/api/enterprises', { method: 'POST', data: {} }).then(noError, asApiError)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(422)
    expect(err.code).toBe('validation')
    expect(err.message).toBe('输入有误')
    expect(err.fields).toEqual({ uscc: '校验位错误' })
  })

  it('copes with an error that has no JSON body', async () => {
    fetchMock.mockResolvedValue(new Response('oops', { status: 500, statusText: 'Internal Server Error' }))
    const err = await request('/api/x').then(noError, asApiError)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.code).toBe('http_500')
    expect(err.fields).toEqual({})
  })

  it('turns a network failure into ApiError status 0', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'))
    const err = await request('/api/x').then(noError, asApiError)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.status).toBe(0)
    expect(err.code).toBe('network')
  })

  it('calls the 401 handler, which clears the token and goes to login', async () => {
    setToken('stale')
    const assign = vi.fn()
    const loc = window.location
    vi.stubGlobal('location', { pathname: '/enterprise/list', search: '?a=1', assign })
    fetchMock.mockResolvedValue(json(401, { code: 'unauthorized', message: 'session expired', fields: {} }))
    const err = await request('/api/auth/me').then(noError, asApiError)
    expect(err.status).toBe(401)
    expect(getToken()).toBeNull()
    expect(assign).toHaveBeenCalledWith('/login?redirect=' + encodeURIComponent('/enterprise/list?a=1'))
    vi.stubGlobal('location', loc)
  })

  it('does not redirect on 401 when skipAuthRedirect is set (the login call)', async () => {
    const spy = vi.fn()
    authHandlers.unauthorized = spy
    fetchMock.mockResolvedValue(json(401, { code: 'unauthorized', message: '用户名或密码错误', fields: {} }))
    const err = await request('/api/auth/login', { method: 'POST', data: {}, skipAuthRedirect: true }).then(noError, asApiError)
    expect(err.message).toBe('用户名或密码错误')
    expect(spy).not.toHaveBeenCalled()
  })

  it('sends the user to change the password on password_change_required', async () => {
    const unauthorized = vi.fn()
    const pwd = vi.fn()
    authHandlers.unauthorized = unauthorized
    authHandlers.passwordChangeRequired = pwd
    fetchMock.mockResolvedValue(json(403, { code: 'password_change_required', message: 'change it', fields: {} }))
    await request('/api/enterprises').catch(() => undefined)
    expect(pwd).toHaveBeenCalledOnce()
    expect(unauthorized).not.toHaveBeenCalled()
  })

  it('does not redirect on a plain 403', async () => {
    const pwd = vi.fn()
    authHandlers.passwordChangeRequired = pwd
    fetchMock.mockResolvedValue(json(403, { code: 'forbidden', message: 'no', fields: {} }))
    const err = await request('/api/users').then(noError, asApiError)
    expect(err.code).toBe('forbidden')
    expect(pwd).not.toHaveBeenCalled()
  })

  it('returns undefined for 204', async () => {
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }))
    await expect(request('/api/auth/password', { method: 'PUT', data: {} })).resolves.toBeUndefined()
  })

  it('sends FormData as is, without a JSON content type', async () => {
    fetchMock.mockResolvedValue(json(200, { code: 'ok' }))
    const fd = new FormData()
    fd.append('file', new Blob(['x']), 'a.xlsx')
    await request('/api/enterprises/import', { method: 'POST', data: fd, params: { importValid: true } })
    const [url, init] = fetchMock.mock.calls[0]
    expect(url).toBe('/api/enterprises/import?importValid=true')
    expect(init.body).toBe(fd)
    expect(init.headers['Content-Type']).toBeUndefined()
  })
})
