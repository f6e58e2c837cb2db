import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { AlarmStream, parseAlarmMessage, type EventSourceLike } from '@/utils/alarmStream'
import { useAlarmStore } from '@/store/alarms'
import type { AlarmMessage } from '@/api/monitoring'

/** A fake EventSource the test drives by hand. */
class FakeES implements EventSourceLike {
  static all: FakeES[] = []
  readyState = 0
  onopen: ((ev: Event) => unknown) | null = null
  onerror: ((ev: Event) => unknown) | null = null
  closed = false
  listeners: Record<string, ((ev: MessageEvent) => void)[]> = {}
  constructor(public url: string) {
    FakeES.all.push(this)
  }
  addEventListener(type: string, l: (ev: MessageEvent) => void) {
    ;(this.listeners[type] ??= []).push(l)
  }
  close() {
    this.closed = true
    this.readyState = 2
  }
  open() {
    this.readyState = 1
    this.onopen?.(new Event('open'))
  }
  fail() {
    this.onerror?.(new Event('error'))
  }
  send(type: string, data: unknown) {
    for (const l of this.listeners[type] ?? []) l(new MessageEvent(type, { data: typeof data === 'string' ? data : JSON.stringify(data) }))
  }
}

function message(id: number, kind: AlarmMessage['event']['kind'] = 'raised', state: AlarmMessage['state'] = 'unacknowledged'): AlarmMessage {
  return {
    id, sourceKind: 'sensor', source: 'GT-' + id, condition: 'high', priority: 'critical', state, active: true, acknowledged: false,
    startedAt: id * 1000, chattering: false, event: { kind, ts: id * 1000, priority: 'critical', state },
  }
}

beforeEach(() => {
  FakeES.all = []
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
  vi.unstubAllGlobals()
  localStorage.clear()
})

describe('parseAlarmMessage', () => {
  it('accepts alarm rows and rejects anything else', () => {
    expect(parseAlarmMessage(JSON.stringify(message(3)))?.id).toBe(3)
    expect(parseAlarmMessage('not json')).toBeNull()
    expect(parseAlarmMessage('{"id":"x"}')).toBeNull()
    expect(parseAlarmMessage(undefined)).toBeNull()
  })
})

describe('AlarmStream', () => {
  it('delivers alarm events and reconnects with back-off and a fresh URL', () => {
    const got: number[] = []
    const errors: number[] = []
    let n = 0
    const s = new AlarmStream({
      url: () => `/api/alarms/stream?token=t${++n}`,
      onAlarm: (m) => got.push(m.id),
      onError: (d) => errors.push(d),
      create: (u) => new FakeES(u),
    })
    s.start()
    expect(FakeES.all).toHaveLength(1)
    FakeES.all[0].open()
    expect(s.connected).toBe(true)
    FakeES.all[0].send('alarm', message(1))
    FakeES.all[0].send('alarm', 'garbage')
    expect(got).toEqual([1])

    FakeES.all[0].fail()
    expect(FakeES.all[0].closed).toBe(true)
    expect(s.connected).toBe(false)
    expect(errors).toEqual([1000])
    vi.advanceTimersByTime(999)
    expect(FakeES.all).toHaveLength(1)
    vi.advanceTimersByTime(1)
    expect(FakeES.all).toHaveLength(2)
    expect(FakeES.all[1].url).toBe('/api/alarms/stream?token=t2')
    FakeES.all[1].fail()
    expect(errors).toEqual([1000, 2000])
    vi.advanceTimersByTime(2000)
    FakeES.all[2].fail()
    expect(errors).toEqual([1000, 2000, 4000])
    vi.advanceTimersByTime(4000)
    FakeES.all[3].open() // connected again: the back-off starts over
    FakeES.all[3].fail()
    expect(errors.at(-1)).toBe(1000)
    // a message on a replaced connection is ignored
    FakeES.all[0].send('alarm', message(2))
    expect(got).toEqual([1])
    s.stop()
  })
  it('caps the delay and stops cleanly', () => {
    const s = new AlarmStream({ url: () => 'u', onAlarm: () => undefined, create: (u) => new FakeES(u), maxDelayMs: 30_000 })
    expect(s.delay(1)).toBe(1000)
    expect(s.delay(6)).toBe(30_000)
    expect(s.delay(20)).toBe(30_000)
    s.start()
    s.stop()
    expect(FakeES.all[0].closed).toBe(true)
    FakeES.all[0].fail()
    vi.advanceTimersByTime(60_000)
    expect(FakeES.all).toHaveLength(1)
  })
  it('does not connect without a token', () => {
    const s = new AlarmStream({ url: () => null, onAlarm: () => undefined, create: (u) => new FakeES(u) })
    s.start()
    expect(FakeES.all).toHaveLength(0)
    s.stop()
  })
})

describe('alarm store', () => {
  it('shares one stream, fans messages out, and reloads the summary for the bell', async () => {
    setActivePinia(createPinia())
    localStorage.setItem('anjian-token', 'tok en')
    const fetchMock = vi.fn(async (_url: string, _init?: RequestInit) => new Response(JSON.stringify({ unacknowledged: 4, active: 6, byPriority: { critical: 1 }, latest: [] }), { status: 200 }))
    vi.stubGlobal('fetch', fetchMock)
    const store = useAlarmStore()
    store.start((u) => new FakeES(u))
    store.start((u) => new FakeES(u)) // a second caller reuses the connection
    expect(FakeES.all).toHaveLength(1)
    expect(FakeES.all[0].url).toBe('/api/alarms/stream?token=tok%20en')
    await vi.runOnlyPendingTimersAsync()
    expect(store.unacknowledged).toBe(4)
    expect(store.byPriority).toEqual({ critical: 1, high: 0, medium: 0, low: 0 })

    const seenA: number[] = []
    const seenB: number[] = []
    const offA = store.subscribe((m) => seenA.push(m.id))
    store.subscribe((m) => seenB.push(m.id))
    FakeES.all[0].open()
    FakeES.all[0].send('alarm', message(11))
    expect(store.latest.map((a) => a.id)).toEqual([11])
    offA()
    FakeES.all[0].send('alarm', message(12))
    expect(seenA).toEqual([11])
    expect(seenB).toEqual([11, 12])
    expect(store.latest.map((a) => a.id)).toEqual([12, 11])

    const before = fetchMock.mock.calls.length
    for (let i = 20; i < 30; i++) FakeES.all[0].send('alarm', message(i))
    await vi.advanceTimersByTimeAsync(1000)
    expect(fetchMock.mock.calls.length - before).toBe(1) // one summary reload per burst
    expect(fetchMock.mock.calls.at(-1)![0]).toBe('/api/alarms/summary')
    store.stop()
    expect(FakeES.all[0].closed).toBe(true)
  })
})
