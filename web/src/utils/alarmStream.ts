import type { AlarmMessage } from '@/api/monitoring'

/** The part of EventSource used here (a fake one in tests). */
export interface EventSourceLike {
  readonly readyState: number
  onopen: ((ev: Event) => unknown) | null
  onerror: ((ev: Event) => unknown) | null
  addEventListener(type: string, listener: (ev: MessageEvent) => void): void
  close(): void
}
export type EventSourceFactory = (url: string) => EventSourceLike

export interface AlarmStreamOptions {
  /** The stream URL with a fresh token, or null when logged out (no connection is made). */
  url: () => string | null
  onAlarm: (m: AlarmMessage) => void
  /** Connected (also after each reconnect: a good moment to reload what may have been missed). */
  onOpen?: () => void
  /** The connection failed or dropped; a reconnect is scheduled after `delayMs`. */
  onError?: (delayMs: number, failures: number) => void
  create?: EventSourceFactory
  minDelayMs?: number
  maxDelayMs?: number
}

/** Parse the data of an `alarm` event; null when it is not an alarm message. */
export function parseAlarmMessage(data: unknown): AlarmMessage | null {
  if (typeof data !== 'string') return null
  try {
    const m = JSON.parse(data) as AlarmMessage
    if (!m || typeof m !== 'object' || typeof m.id !== 'number' || typeof m.state !== 'string') return null
    return m
  } catch {
    return null
  }
}

/**
 * One SSE connection to `/api/alarms/stream` that reconnects by itself with exponential back-off
 * (1 s, 2 s, 4 s ... 30 s; back to 1 s once connected). The browser's own retry is not relied on:
 * after an error the EventSource is closed and a new one made with a fresh URL (token).
 */
export class AlarmStream {
  private es: EventSourceLike | null = null
  private timer: ReturnType<typeof setTimeout> | null = null
  private failures = 0
  private stopped = true
  connected = false

  constructor(private readonly opts: AlarmStreamOptions) {}

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.failures = 0
    this.open()
  }

  stop(): void {
    this.stopped = true
    this.connected = false
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.es?.close()
    this.es = null
  }

  get running(): boolean {
    return !this.stopped
  }

  /** Delay before the n-th consecutive reconnect (n >= 1). */
  delay(n: number): number {
    const min = this.opts.minDelayMs ?? 1000
    const max = this.opts.maxDelayMs ?? 30_000
    return Math.min(max, min * 2 ** Math.max(0, n - 1))
  }

  private open(): void {
    this.timer = null
    if (this.stopped) return
    const url = this.opts.url()
    if (!url) return
    const create: EventSourceFactory = this.opts.create ?? ((u) => new EventSource(u))
    let es: EventSourceLike
    try {
      es = create(url)
    } catch {
      this.retry()
      return
    }
    this.es = es
    es.onopen = () => {
      if (this.es !== es) return
      this.failures = 0
      this.connected = true
      this.opts.onOpen?.()
    }
    es.onerror = () => {
      if (this.es !== es) return
      es.close()
      this.es = null
      this.retry()
    }
    es.addEventListener('alarm', (ev: MessageEvent) => {
      if (this.es !== es) return
      const m = parseAlarmMessage(ev.data)
      if (m) this.opts.onAlarm(m)
    })
  }

  private retry(): void {
    this.connected = false
    if (this.stopped) return
    this.failures += 1
    const d = this.delay(this.failures)
    this.opts.onError?.(d, this.failures)
    this.timer = setTimeout(() => this.open(), d)
  }
}
