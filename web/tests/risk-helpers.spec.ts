import { describe, expect, it } from 'vitest'
import { colourOf, daysUntil, isFutureDay, levelStyle, managementGap, minManagementLevel, pickerDay, shanghaiToday } from '@/views/risk/helpers'

describe('risk helpers', () => {
  it('maps levels to the four colours', () => {
    expect([colourOf('major'), colourOf('high'), colourOf('medium'), colourOf('low'), colourOf(null)]).toEqual(['red', 'orange', 'yellow', 'blue', null])
    expect(levelStyle('medium').color).toBe('#303133')
    expect(levelStyle('major').color).toBe('#ffffff')
  })
  it('checks graded control like the server', () => {
    expect(minManagementLevel('major')).toBe('company')
    expect(managementGap('major', [])).toBe('company')
    expect(managementGap('major', ['department', 'team'])).toBe('company')
    expect(managementGap('major', ['company'])).toBeNull()
    expect(managementGap('high', ['company'])).toBeNull()
    expect(managementGap('high', ['workshop'])).toBe('department')
    expect(managementGap('medium', ['workshop'])).toBeNull()
    expect(managementGap('low', ['team'])).toBeNull()
    expect(managementGap(null, [])).toBeNull()
  })
  it('uses Shanghai dates', () => {
    expect(shanghaiToday(new Date('2026-03-31T15:59:59Z'))).toBe('2026-03-31')
    expect(shanghaiToday(new Date('2026-03-31T16:00:00Z'))).toBe('2026-04-01')
    expect(daysUntil('2026-04-10', '2026-04-03')).toBe(7)
    expect(daysUntil('2026-04-01', '2026-04-03')).toBe(-2)
  })
  it('disables future days of the as-of picker by their local calendar day', () => {
    // A picker cell is a local midnight; its UTC day may be the day before (east of UTC).
    expect(pickerDay(new Date(2026, 3, 2))).toBe('2026-04-02')
    expect(isFutureDay(new Date(2026, 3, 2), '2026-04-01')).toBe(true)
    expect(isFutureDay(new Date(2026, 3, 1), '2026-04-01')).toBe(false)
    expect(isFutureDay(new Date(2026, 2, 31), '2026-04-01')).toBe(false)
  })
})
