import { onBeforeUnmount, onMounted, ref, watch, type Ref } from 'vue'
import {
  situationApi, type FeedAlarm, type OverdueHd, type SituationMap, type SituationSettings, type SituationSummary, type TopRisk, type TrendDay,
} from '@/api/situation'
import { useAlarmStore } from '@/store/alarms'
import { useUserStore } from '@/store/user'

/**
 * The data of the dashboard and the large screen for one region filter: map, summary, live alarm
 * feed, overdue hidden dangers, top risks and trends. The feed follows the shared alarm stream
 * (`/api/alarms/stream`, when the account may read it): every alarm message reloads the feed and
 * the summary (coalesced to one reload per second) and, since an alarm moves its enterprise's
 * dynamic risk within a fraction of a second, the map colours and the top risks (coalesced to one
 * reload per 3 s: the map is the largest answer); everything is also reloaded every `refreshMs`
 * in case the stream is down.
 */
export function useSituation(regionId: Ref<number | null>, opts: { feedLimit?: number; refreshMs?: number; trendDays?: number } = {}) {
  const map = ref<SituationMap>({ enterprises: [], regions: [] })
  const summary = ref<SituationSummary | null>(null)
  const feed = ref<{ total: number; rows: FeedAlarm[] }>({ total: 0, rows: [] })
  const overdue = ref<{ total: number; rows: OverdueHd[] }>({ total: 0, rows: [] })
  const top = ref<TopRisk[]>([])
  const trends = ref<TrendDay[]>([])
  const settings = ref<SituationSettings>({ tileUrl: '', tileAttribution: '' })
  const loading = ref(false)
  const error = ref('')
  const updatedAt = ref(0)
  /** Ids of the feed rows that arrived after the first load (highlighted for a while). */
  const fresh = ref(new Set<number>())

  const me = useUserStore()
  const alarms = useAlarmStore()
  let unsubscribe: (() => void) | null = null
  let timer: ReturnType<typeof setInterval> | null = null
  let feedTimer: ReturnType<typeof setTimeout> | null = null
  let feedPoll: ReturnType<typeof setInterval> | null = null
  let riskTimer: ReturnType<typeof setTimeout> | null = null
  let known: Set<number> | null = null

  async function loadFeed() {
    try {
      const f = await situationApi.alarms(regionId.value, opts.feedLimit ?? 20)
      if (known) for (const a of f.rows) if (!known.has(a.id)) fresh.value.add(a.id)
      known = new Set(f.rows.map((a) => a.id))
      feed.value = f
    } catch (e) {
      error.value = (e as Error).message
    }
  }
  async function loadSummary() {
    try {
      summary.value = await situationApi.summary(regionId.value)
    } catch (e) {
      error.value = (e as Error).message
    }
  }
  async function loadAll() {
    loading.value = true
    error.value = ''
    const r = regionId.value
    const results = await Promise.allSettled([
      situationApi.map(r).then((v) => (map.value = v)),
      loadSummary(),
      loadFeed(),
      situationApi.overdue(r, 10).then((v) => (overdue.value = v)),
      situationApi.topRisks(r, 10).then((v) => (top.value = v)),
      situationApi.trends(r, opts.trendDays ?? 30).then((v) => (trends.value = v)),
    ])
    const failed = results.find((x) => x.status === 'rejected') as PromiseRejectedResult | undefined
    if (failed) error.value = (failed.reason as Error)?.message ?? String(failed.reason)
    updatedAt.value = Date.now()
    loading.value = false
  }
  function onAlarm() {
    if (feedTimer) return
    feedTimer = setTimeout(() => {
      feedTimer = null
      loadFeed()
      loadSummary()
      updatedAt.value = Date.now()
    }, 1000)
    if (riskTimer) return
    riskTimer = setTimeout(() => {
      riskTimer = null
      const r = regionId.value
      situationApi.map(r).then((v) => (map.value = v)).catch(() => undefined)
      situationApi.topRisks(r, 10).then((v) => (top.value = v)).catch(() => undefined)
    }, 3000)
  }

  watch(regionId, () => {
    known = null
    fresh.value = new Set()
    loadAll()
  })
  onMounted(async () => {
    situationApi.settings().then((s) => (settings.value = s)).catch(() => undefined)
    if (me.hasPermi('monitoring:alarm:query')) {
      alarms.start()
      unsubscribe = alarms.subscribe(onAlarm)
    } else {
      // No stream for this account: poll the feed.
      feedPoll = setInterval(onAlarm, 5000)
    }
    timer = setInterval(loadAll, opts.refreshMs ?? 60_000)
    await loadAll()
  })
  onBeforeUnmount(() => {
    unsubscribe?.()
    if (timer) clearInterval(timer)
    if (feedPoll) clearInterval(feedPoll)
    if (feedTimer) clearTimeout(feedTimer)
    if (riskTimer) clearTimeout(riskTimer)
  })
  return { map, summary, feed, overdue, top, trends, settings, loading, error, updatedAt, fresh, reload: loadAll }
}
