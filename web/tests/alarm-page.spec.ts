import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import ElementPlus from 'element-plus'
import { i18n } from '@/i18n'
import AlarmPage from '@/views/monitoring/alarm/index.vue'
import { useAlarmStore } from '@/store/alarms'
import { useUserStore } from '@/store/user'
import type { Alarm, AlarmMessage } from '@/api/monitoring'

function alarm(id: number, over: Partial<Alarm> = {}): Alarm {
  return {
    id, sourceKind: 'sensor', source: 'GT-' + id, sourceName: '可燃气体' + id, condition: 'high', priority: 'critical',
    state: 'unacknowledged', active: true, acknowledged: false, startedAt: Date.now() - 60_000, chattering: false, enterpriseId: 1, enterpriseName: 'E1', ...over,
  }
}

afterEach(() => {
  useAlarmStore().stop()
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

async function mountPage(permissions: string[]) {
  const calls: string[] = []
  vi.stubGlobal('fetch', vi.fn(async (url: string) => {
    calls.push(url)
    const body = url.startsWith('/api/alarms?') ? { rows: [alarm(1), alarm(2, { state: 'acknowledged', acknowledged: true, priority: 'low' })], total: 2 }
      : url.startsWith('/api/alarms/summary') ? { unacknowledged: 1, active: 2, byPriority: { critical: 1, low: 1 }, latest: [] }
        : { rows: [], total: 0 }
    return new Response(JSON.stringify(body), { status: 200 })
  }))
  // No real EventSource in the test: the store is started by hand with a stub.
  vi.stubGlobal('EventSource', class { readyState = 0; onopen = null; onerror = null; addEventListener() {} close() {} })
  const pinia = createPinia()
  setActivePinia(pinia)
  useUserStore().permissions = permissions
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/monitoring/alarm', component: AlarmPage }] })
  await router.push('/monitoring/alarm')
  const w = mount(AlarmPage, { global: { plugins: [pinia, i18n, ElementPlus, router] }, attachTo: document.body })
  await flushPromises()
  return { w, calls }
}

describe('alarm page', () => {
  it('lists active alarms, shows actions by permission and merges stream messages live', async () => {
    const { w, calls } = await mountPage(['monitoring:alarm:query', 'monitoring:alarm:ack'])
    expect(calls.some((u) => u.startsWith('/api/alarms?') && u.includes('active=true'))).toBe(true)
    const rows = () => w.findAll('[data-testid=alarm-table] .el-table__body-wrapper tbody tr')
    expect(rows()).toHaveLength(2)
    // ack only on the unacknowledged one; no shelve/close without those permissions
    expect(w.findAll('[data-testid=alarm-row-ack]')).toHaveLength(1)
    expect(w.find('[data-testid=alarm-row-shelve]').exists()).toBe(false)
    expect(w.find('[data-testid=alarm-row-close]').exists()).toBe(false)

    const store = useAlarmStore()
    const raise: AlarmMessage = { ...alarm(3, { sourceName: '新报警点' }), event: { kind: 'raised', ts: Date.now(), priority: 'critical', state: 'unacknowledged' } }
    store.receive(raise)
    await flushPromises()
    expect(rows()).toHaveLength(3)
    expect(rows()[0].text()).toContain('新报警点')
    expect(rows()[0].classes()).toContain('alarm-row-new')

    const closed: AlarmMessage = { ...alarm(1, { state: 'normal', endedAt: Date.now() }), event: { kind: 'closed', ts: Date.now(), priority: 'critical', state: 'normal' } }
    store.receive(closed)
    await flushPromises()
    expect(rows()).toHaveLength(2)
    expect(w.text()).not.toContain('可燃气体1')
    w.unmount()
  })
  it('hides every action without the permissions', async () => {
    const { w } = await mountPage(['monitoring:alarm:query'])
    expect(w.find('[data-testid=alarm-row-ack]').exists()).toBe(false)
    expect(w.find('[data-testid=alarm-batch-ack]').exists()).toBe(false)
    w.unmount()
  })
})
