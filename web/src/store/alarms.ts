import { defineStore } from 'pinia'
import { alarmApi, alarmStreamUrl, type Alarm, type AlarmMessage, type AlarmSummary, type Priority } from '@/api/monitoring'
import { AlarmStream, type EventSourceFactory } from '@/utils/alarmStream'
import { mergeLatest } from '@/utils/alarm'
import { getToken } from '@/utils/auth'

type Listener = (m: AlarmMessage) => void

const emptyByPriority = (): Record<Priority, number> => ({ critical: 0, high: 0, medium: 0, low: 0 })

// Not reactive state: the one connection and the pages listening to it.
let stream: AlarmStream | null = null
const listeners = new Set<Listener>()
let summaryTimer: ReturnType<typeof setTimeout> | null = null

/**
 * The live alarm feed shared by the header bell and the alarm pages: ONE EventSource on
 * `/api/alarms/stream`, the summary of `/api/alarms/summary` (reloaded, at most once a second,
 * after stream events and after every reconnect), and a fan-out of each message to subscribers.
 */
export const useAlarmStore = defineStore('alarms', {
  state: () => ({
    unacknowledged: 0,
    active: 0,
    byPriority: emptyByPriority(),
    latest: [] as Alarm[],
    connected: false,
    /** Consecutive failed connection attempts (0 when connected). */
    failures: 0,
    /** Time of the last message received (ms). */
    lastMessageAt: 0,
  }),
  actions: {
    applySummary(s: AlarmSummary) {
      this.unacknowledged = s.unacknowledged ?? 0
      this.active = s.active ?? 0
      this.byPriority = { ...emptyByPriority(), ...(s.byPriority ?? {}) }
      this.latest = (s.latest ?? []).slice(0, 5)
    },
    async loadSummary() {
      try {
        this.applySummary(await alarmApi.summary())
      } catch {
        /* shown again at the next event or reconnect */
      }
    },
    /** Reload the summary soon (coalescing bursts of events into one request). */
    scheduleSummary(delayMs = 1000) {
      if (summaryTimer) return
      summaryTimer = setTimeout(() => {
        summaryTimer = null
        this.loadSummary()
      }, delayMs)
    },
    /** A stream message: update the bell at once, then tell the pages. */
    receive(m: AlarmMessage) {
      this.lastMessageAt = Date.now()
      this.latest = mergeLatest(this.latest, m)
      this.scheduleSummary()
      for (const fn of [...listeners]) {
        try {
          fn(m)
        } catch (e) {
          console.warn('alarm listener:', e)
        }
      }
    },
    /** Open the shared stream (once; later calls do nothing while it runs). */
    start(create?: EventSourceFactory) {
      if (stream?.running) return
      stream = new AlarmStream({
        url: () => {
          const token = getToken()
          return token ? alarmStreamUrl(token) : null
        },
        onAlarm: (m) => this.receive(m),
        onOpen: () => {
          this.connected = true
          this.failures = 0
          this.loadSummary()
        },
        onError: (_d, n) => {
          this.connected = false
          this.failures = n
          // A summary request goes through the normal 401 handling if the session is gone.
          if (n === 1 || n % 5 === 0) this.loadSummary()
        },
        create,
      })
      stream.start()
      this.loadSummary()
    },
    stop() {
      stream?.stop()
      stream = null
      if (summaryTimer) clearTimeout(summaryTimer)
      summaryTimer = null
      this.connected = false
    },
    /** Receive every stream message until the returned function is called. */
    subscribe(fn: Listener): () => void {
      listeners.add(fn)
      return () => listeners.delete(fn)
    },
  },
})
