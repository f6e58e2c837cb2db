import { request, http } from '@/utils/request'
import type { LoginResponse, Me } from './types'

export const login = (username: string, password: string) =>
  request<LoginResponse>('/api/auth/login', { method: 'POST', data: { username, password }, skipAuthRedirect: true })

export const logout = () => request<void>('/api/auth/logout', { method: 'POST', skipAuthRedirect: true })

export const getMe = () => http.get<Me>('/api/auth/me')

export const changePassword = (oldPassword: string, newPassword: string) =>
  http.put<void>('/api/auth/password', { oldPassword, newPassword })
