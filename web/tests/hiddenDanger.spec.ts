import { afterEach, describe, expect, it, vi } from 'vitest'
import { hdApi } from '@/api/hiddenDanger'
import { ApiError } from '@/utils/request'
import { alarmToHiddenDanger, fmtLocal, shanghaiToday, statusTagType } from '@/views/hidden-danger/detail/util'

afterEach(() => {
  vi.restoreAllMocks()
  vi.useRealTimers()
})

describe('hidden-danger helpers', () => {
  it('shows times and today in Asia/Shanghai', () => {
    expect(fmtLocal('2026-03-10T16:30:00Z')).toBe('2026-03-11 00:30')
    expect(fmtLocal(null)).toBe('')
    vi.useFakeTimers()
    vi.setSystemTime(new Date('2026-03-10T16:00:00Z')) // midnight in Shanghai
    expect(shanghaiToday()).toBe('2026-03-11')
    expect(shanghaiToday(7)).toBe('2026-03-18')
    vi.setSystemTime(new Date('2026-03-10T15:59:59Z'))
    expect(shanghaiToday()).toBe('2026-03-10')
  })

  it('colours the status tags', () => {
    expect(statusTagType('closed')).toBe('success')
    expect(statusTagType('rejected')).toBe('info')
    expect(statusTagType('reported')).toBe('warning')
    expect(statusTagType('assigned')).toBe('primary')
  })

  it('turns an alarm into a hidden danger once, then opens the existing one', async () => {
    const go = vi.fn()
    const ok = vi.fn()
    const fail = vi.fn()
    const spy = vi.spyOn(hdApi, 'fromAlarm').mockResolvedValueOnce({ id: 42, code: 'YH-1-20260310-001' } as never)
    await alarmToHiddenDanger(7, go, { ok, fail })
    expect(spy).toHaveBeenCalledWith(7)
    expect(ok).toHaveBeenCalledWith('YH-1-20260310-001')
    expect(go).toHaveBeenLastCalledWith('/hidden-danger/detail/42')
    spy.mockRejectedValueOnce(new ApiError(409, 'conflict', 'alarm 7 is already hidden danger 42 (YH-1-20260310-001)'))
    await alarmToHiddenDanger(7, go, { ok, fail })
    expect(go).toHaveBeenLastCalledWith('/hidden-danger/detail/42')
    expect(fail).not.toHaveBeenCalled()
    spy.mockRejectedValueOnce(new ApiError(403, 'forbidden', 'missing permission'))
    await alarmToHiddenDanger(7, go, { ok, fail })
    expect(fail).toHaveBeenCalledWith('missing permission')
  })
})
