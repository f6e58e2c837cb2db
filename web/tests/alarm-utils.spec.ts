import { describe, expect, it } from 'vitest'
import type { Alarm, AlarmMessage } from '@/api/monitoring'
import {
  canClose, canShelve, canUnshelve, closeReasonText, filterToQuery, lacksNames, mergeRow, fmtDuration, fmtTime, fmtValue, isOpen, matchesFilter, mergeAlarm,
  mergeLatest, needsAck, priorityColor, priorityRank, stateTagType, PRIORITY_COLORS,
} from '@/utils/alarm'

function alarm(id: number, over: Partial<Alarm> = {}): Alarm {
  return {
    id, sourceKind: 'sensor', source: 'GT-' + id, sourceName: 'Gas ' + id, condition: 'high', priority: 'high',
    state: 'unacknowledged', active: true, acknowledged: false, startedAt: 1_000 * id, endedAt: null,
    chattering: false, enterpriseId: 7, enterpriseName: 'E7', ...over,
  }
}
function msg(a: Alarm, kind: AlarmMessage['event']['kind'], ts: number): AlarmMessage {
  return { ...a, event: { kind, ts, priority: a.priority, state: a.state, value: 1 } }
}

describe('priority colours', () => {
  it('maps critical red, high orange, medium yellow, low blue', () => {
    expect(priorityColor('critical')).toBe(PRIORITY_COLORS.critical)
    expect(PRIORITY_COLORS.critical).toMatch(/^#e0/) // red
    expect(priorityColor('high')).toBe('#f76707')
    expect(priorityColor('medium')).toBe('#f0b400')
    expect(priorityColor('low')).toBe('#1c7ed6')
    // four different colours, grey for anything unknown
    expect(new Set(Object.values(PRIORITY_COLORS)).size).toBe(4)
    expect(priorityColor('bogus')).toBe('#909399')
    expect(priorityColor(undefined)).toBe('#909399')
  })
  it('ranks low < medium < high < critical', () => {
    expect(['critical', 'low', 'high', 'medium'].sort((a, b) => priorityRank(a) - priorityRank(b))).toEqual(['low', 'medium', 'high', 'critical'])
    expect(priorityRank('x')).toBe(-1)
  })
  it('tags states', () => {
    expect(stateTagType('unacknowledged')).toBe('danger')
    expect(stateTagType('returned_unacknowledged')).toBe('warning')
    expect(stateTagType('shelved')).toBe('info')
  })
})

describe('actions allowed per state', () => {
  it('follows the ISA-18.2 states', () => {
    expect(needsAck(alarm(1))).toBe(true)
    expect(needsAck(alarm(1, { state: 'returned_unacknowledged' }))).toBe(true)
    expect(needsAck(alarm(1, { state: 'acknowledged' }))).toBe(false)
    expect(canShelve(alarm(1, { state: 'acknowledged' }))).toBe(true)
    expect(canShelve(alarm(1, { state: 'shelved' }))).toBe(false)
    expect(canUnshelve(alarm(1, { state: 'shelved' }))).toBe(true)
    expect(canClose(alarm(1, { endedAt: 5 }))).toBe(false)
    expect(isOpen(alarm(1, { state: 'normal' }))).toBe(false)
  })
})

describe('filter', () => {
  it('matches each field', () => {
    const a = alarm(3, { priority: 'critical', condition: 'high_high', source: 'R-PT-101', startedAt: 5000 })
    expect(matchesFilter(a, {})).toBe(true)
    expect(matchesFilter(a, { open: true, priority: 'critical', condition: 'high_high', enterpriseId: 7, source: 'pt-1', from: 4000, to: 6000 })).toBe(true)
    expect(matchesFilter(a, { open: false })).toBe(false)
    expect(matchesFilter(a, { priority: 'low' })).toBe(false)
    expect(matchesFilter(a, { state: 'acknowledged' })).toBe(false)
    expect(matchesFilter(a, { enterpriseId: 8 })).toBe(false)
    expect(matchesFilter(a, { from: 5001 })).toBe(false)
    expect(matchesFilter(a, { to: 4999 })).toBe(false)
    expect(matchesFilter(a, { priority: '', enterpriseId: '' })).toBe(true)
  })
  it('turns into the list query', () => {
    expect(filterToQuery({ open: true, priority: 'high', enterpriseId: '', source: '', from: 10 })).toEqual({
      active: 'true', state: undefined, priority: 'high', condition: undefined, enterpriseId: undefined, source: undefined, from: 10, to: undefined,
    })
    expect(filterToQuery({ open: false }).active).toBe('false')
  })
})

describe('mergeAlarm (SSE rows merged by id)', () => {
  it('puts a new matching alarm on top, without the event, trimming to the page size', () => {
    const rows = [alarm(1), alarm(2)]
    const r = mergeAlarm(rows, msg(alarm(9), 'raised', 9000), { open: true }, { pageSize: 2 })
    expect(r.change).toBe('added')
    expect(r.rows.map((x) => x.id)).toEqual([9, 1])
    expect('event' in r.rows[0]).toBe(false)
    expect(rows.map((x) => x.id)).toEqual([1, 2]) // input untouched
  })
  it('updates a listed alarm in place', () => {
    const rows = [alarm(1), alarm(2)]
    const acked = alarm(2, { state: 'acknowledged', acknowledged: true, ackedBy: 'zhang' })
    const r = mergeAlarm(rows, msg(acked, 'acknowledged', 3000), { open: true })
    expect(r.change).toBe('updated')
    expect(r.rows.map((x) => x.id)).toEqual([1, 2])
    expect(r.rows[1].state).toBe('acknowledged')
    expect(r.rows[1].ackedBy).toBe('zhang')
  })
  it('drops an alarm that ended from the active list', () => {
    const rows = [alarm(1), alarm(2)]
    const closed = alarm(1, { state: 'normal', endedAt: 4000, closeReason: 'handled' })
    const r = mergeAlarm(rows, msg(closed, 'closed', 4000), { open: true })
    expect(r.change).toBe('removed')
    expect(r.rows.map((x) => x.id)).toEqual([2])
  })
  it('ignores alarms outside the filter and does not insert when told not to', () => {
    expect(mergeAlarm([], msg(alarm(5, { priority: 'low' }), 'raised', 1), { priority: 'critical' }).change).toBe('ignored')
    const r = mergeAlarm([alarm(1)], msg(alarm(5), 'raised', 1), {}, { insert: false })
    expect(r.change).toBe('ignored')
    expect(r.rows).toHaveLength(1)
  })
  it('ignores an older message for the same alarm (replayed after a reconnect)', () => {
    const seen = new Map<number, number>()
    let rows: Alarm[] = []
    rows = mergeAlarm(rows, msg(alarm(4), 'raised', 100), { open: true }, { seen }).rows
    rows = mergeAlarm(rows, msg(alarm(4, { state: 'acknowledged' }), 'acknowledged', 200), { open: true }, { seen }).rows
    const late = mergeAlarm(rows, msg(alarm(4), 'raised', 100), { open: true }, { seen })
    expect(late.change).toBe('ignored')
    expect(late.rows[0].state).toBe('acknowledged')
  })
})

describe('mergeLatest (the bell)', () => {
  it('keeps the 5 newest raises, one per id, and updates known ones', () => {
    let latest: Alarm[] = []
    for (let i = 1; i <= 7; i++) latest = mergeLatest(latest, msg(alarm(i), 'raised', i))
    expect(latest.map((a) => a.id)).toEqual([7, 6, 5, 4, 3])
    latest = mergeLatest(latest, msg(alarm(5, { state: 'acknowledged' }), 'acknowledged', 99))
    expect(latest.map((a) => a.id)).toEqual([7, 6, 5, 4, 3])
    expect(latest[2].state).toBe('acknowledged')
    // an event of an alarm not in the list that is not a raise does not enter it
    expect(mergeLatest(latest, msg(alarm(1), 'cleared', 100))).toBe(latest)
  })
})

describe('formatting', () => {
  it('formats times given as ms or ISO text', () => {
    const ms = new Date(2026, 0, 2, 3, 4, 5).getTime()
    expect(fmtTime(ms)).toBe('2026-01-02 03:04:05')
    expect(fmtTime(String(ms))).toBe('2026-01-02 03:04:05')
    expect(fmtTime(null)).toBe('')
  })
  it('formats durations and values', () => {
    expect(fmtDuration(26 * 3_600_000 + 5 * 60_000)).toBe('1天2小时')
    expect(fmtDuration(26 * 3_600_000, 'en')).toBe('1d 2h')
    expect(fmtDuration(30_000)).toBe('0分')
    expect(fmtValue(12.3456, 'ppm')).toBe('12.35 ppm')
    expect(fmtValue(null)).toBe('—')
    expect(fmtValue(0.012345)).toBe('0.0123')
    // above 1000 one decimal is kept: 2897.3 kPa is over a 2895 kPa limit, 2897 would hide how far
    expect(fmtValue(2897.3, 'kPa')).toBe('2897.3 kPa')
    expect(fmtValue(2705.25)).toBe('2705.3')
    expect(fmtValue(3000)).toBe('3000')
    expect(fmtValue(-1234.56)).toBe('-1234.6')
  })
})

describe('close reasons', () => {
  const label = (c: string) => ({ false_alarm: '误报', other: '其他' } as Record<string, string>)[c] ?? null
  it('labels the code and keeps the comment the server appended', () => {
    expect(closeReasonText('false_alarm: 传感器标定', label)).toBe('误报：传感器标定')
    expect(closeReasonText('other: a: b', label)).toBe('其他：a: b')
    expect(closeReasonText('false_alarm', label)).toBe('误报')
    expect(closeReasonText('false_alarm: ', label)).toBe('误报')
  })
  it('leaves unknown reasons and engine closes as they are', () => {
    expect(closeReasonText('superseded', label)).toBe('superseded')
    expect(closeReasonText('nope: x', label)).toBe('nope: x')
    expect(closeReasonText(null, label)).toBe('')
  })
})

describe('stream messages without names', () => {
  // The stream's rows carry sourceName, unit and enterpriseName as null; the list's rows have them.
  const bare = (a: Alarm): Alarm => ({ ...a, sourceName: null, unit: null, enterpriseName: null })
  it('an update keeps the names the row had', () => {
    const listed = alarm(1, { unit: 'kPa' })
    const acked = msg(bare({ ...listed, state: 'acknowledged', ackedBy: 'city' }), 'acknowledged', 5)
    const { rows, change } = mergeAlarm([listed], acked, { open: true })
    expect(change).toBe('updated')
    expect(rows[0]).toMatchObject({ state: 'acknowledged', ackedBy: 'city', sourceName: 'Gas 1', unit: 'kPa', enterpriseName: 'E7' })
    expect(mergeLatest([listed], acked)[0]).toMatchObject({ state: 'acknowledged', sourceName: 'Gas 1', enterpriseName: 'E7' })
  })
  it('a new name wins, a missing one does not erase', () => {
    expect(mergeRow(alarm(1), { ...alarm(1), sourceName: 'Renamed' }).sourceName).toBe('Renamed')
    expect(mergeRow(alarm(1), bare(alarm(1))).sourceName).toBe('Gas 1')
  })
  it('tells a row that lacks its names', () => {
    expect(lacksNames(bare(alarm(1)))).toBe(true)
    expect(lacksNames(alarm(1, { unit: 'ppm' }))).toBe(false)
    expect(lacksNames(alarm(1, { unit: 'ppm', enterpriseId: null, enterpriseName: null }))).toBe(false)
  })
})
