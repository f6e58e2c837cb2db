import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import ElementPlus from 'element-plus'
import type { Component } from 'vue'
import { i18n } from '@/i18n'
import { useUserStore } from '@/store/user'
import SensorPage from '@/views/monitoring/sensor/index.vue'
import DevicePage from '@/views/monitoring/device/index.vue'
import TrendPage from '@/views/monitoring/trend/index.vue'
import KpiPage from '@/views/monitoring/kpi/index.vue'
import WebhookPage from '@/views/monitoring/webhook/index.vue'
import type { Sensor } from '@/api/monitoring'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const sensor: Sensor = {
  id: 5, code: 'GT-101', name: '1号罐区可燃气体', deviceId: 9, deviceCode: 'DTU-01', enterpriseId: 1, enterpriseName: '化工一厂',
  quantity: 'combustible_gas', unit: '%LEL', rangeLow: 0, rangeHigh: 100, samplingPeriodS: 60, staleAfter: 3, area: 'tank',
  settings: { limits: [{ kind: 'high', value: 25, priority: 'high', deadband: 1 }, { kind: 'high_high', value: 50, priority: 'critical', onDelayS: 5 }], rateOfChange: null, schedule: null },
  status: 'active', latest: { ts: Date.now() - 10_000, value: 12.5, quality: 'good' },
}
const device = { id: 9, code: 'DTU-01', name: '罐区DTU', enterpriseId: 1, enterpriseName: '化工一厂', kind: 'dtu', status: 'active', online: false, lastSeen: Date.now() - 3_600_000 }

type Call = { url: string; method: string; body?: unknown }
function stubApi(): Call[] {
  const calls: Call[] = []
  vi.stubGlobal('fetch', vi.fn(async (url: string, init?: RequestInit) => {
    const method = init?.method ?? 'GET'
    calls.push({ url, method, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined })
    let body: unknown = { rows: [], total: 0 }
    if (url.startsWith('/api/sensors/5/trend')) body = { sensor, limits: [{ kind: 'high', value: 25, priority: 'high' }], points: [{ ts: Date.now() - 120_000, min: 10, max: 14, avg: 12 }], raw: [{ ts: Date.now() - 60_000, value: 12.5 }] }
    else if (url.startsWith('/api/sensors/5')) body = sensor
    else if (url.startsWith('/api/sensors')) body = { rows: [sensor], total: 1 }
    else if (url.startsWith('/api/devices')) body = { rows: [device], total: 1 }
    else if (url.startsWith('/api/alarms/kpi')) body = { alarmsPer10MinByArea: [{ area: 'tank', average: 1.5, peak: 12 }], floodPercent: 2.5, chattering: [{ source: 'GT-7', condition: 'high', raises: 14 }], stale: [{ alarmId: 77, source: 'GT-8', condition: 'low', startedAt: Date.now() - 2 * 86_400_000 }], top10: [{ source: 'GT-7', condition: 'high', raises: 14 }], totalRaises: 40 }
    else if (url.startsWith('/api/webhooks/3/deliveries')) body = [{ id: 1, webhookId: 3, alarmEventId: 100, status: 'dead', attempts: 8, lastError: 'connection refused' }]
    else if (url.startsWith('/api/webhooks')) body = { rows: [{ id: 3, name: '值班群', url: 'https://hooks.example/x', enabled: true, minPriority: 'high' }], total: 1 }
    else if (url.startsWith('/api/dict/data/type/')) body = []
    return new Response(JSON.stringify(body), { status: 200 })
  }))
  return calls
}

async function mountAt(comp: Component, path: string, pattern: string, permissions = ['*:*:*']) {
  const pinia = createPinia()
  setActivePinia(pinia)
  useUserStore().permissions = permissions
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: pattern, component: comp }, { path: '/:p(.*)*', component: comp }] })
  await router.push(path)
  const w = mount(comp, { global: { plugins: [pinia, i18n, ElementPlus, router], stubs: { EChart: true } }, attachTo: document.body })
  await flushPromises()
  await sleep(20)
  await flushPromises()
  return w
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('sensor page', () => {
  it('shows the latest value and the device state, and saves the alarm settings in the API shape', { timeout: 20_000 }, async () => {
    const calls = stubApi()
    const w = await mountAt(SensorPage, '/monitoring/sensor', '/monitoring/sensor')
    const text = w.find('[data-testid=sensor-table]').text()
    expect(text).toContain('12.5 %LEL')
    expect(text).toContain('DTU-01 · 离线')
    expect(w.find('[data-testid=row-trend]').exists()).toBe(true)
    expect(w.find('[data-testid=row-oos]').exists()).toBe(true)

    const edit = w.findAll('[data-testid=sensor-table] .el-table__body-wrapper button').find((b) => b.text() === '修改')!
    await edit.trigger('click')
    await flushPromises()
    await sleep(50)
    const editor = document.querySelector('[data-testid=sensor-settings]')
    expect(editor).not.toBeNull()
    expect(document.querySelectorAll('[data-testid=settings-limits] .el-table__body-wrapper tbody tr')).toHaveLength(2)
    ;(document.querySelector('[data-testid=crud-submit]') as HTMLButtonElement).click()
    await flushPromises()
    await sleep(50)
    await flushPromises()
    const put = calls.find((c) => c.method === 'PUT')
    expect(put?.url).toBe('/api/sensors/5')
    const body = put!.body as Record<string, unknown>
    expect(body.code).toBe('GT-101')
    expect(body.settings).toEqual({
      limits: [
        { kind: 'high_high', value: 50, priority: 'critical', onDelayS: 5, escalate: null },
        { kind: 'high', value: 25, priority: 'high', deadband: 1, escalate: null },
      ],
      rateOfChange: null,
      schedule: null,
    })
    w.unmount()
  })
  it('offers no out-of-service buttons without monitoring:alarm:service', async () => {
    stubApi()
    const w = await mountAt(SensorPage, '/monitoring/sensor', '/monitoring/sensor', ['monitoring:sensor:query'])
    expect(w.find('[data-testid=row-trend]').exists()).toBe(true)
    expect(w.find('[data-testid=row-oos]').exists()).toBe(false)
    expect(w.find('[data-testid=btn-import]').exists()).toBe(false)
    w.unmount()
  })
})

describe('device page', () => {
  it('shows online state and the MQTT password button', async () => {
    stubApi()
    const w = await mountAt(DevicePage, '/monitoring/device', '/monitoring/device')
    const text = w.find('[data-testid=device-table]').text()
    expect(text).toContain('离线')
    expect(text).toContain('化工一厂')
    expect(w.find('[data-testid=row-secret]').exists()).toBe(true)
    w.unmount()
  })
})

describe('trend page', () => {
  it('loads the last hour of the sensor and shows its limits', async () => {
    const calls = stubApi()
    const w = await mountAt(TrendPage, '/monitoring/trend/5', '/monitoring/trend/:id')
    const c = calls.find((x) => x.url.startsWith('/api/sensors/5/trend'))!
    const q = new URL(c.url, 'http://x').searchParams
    expect(Number(q.get('to')) - Number(q.get('from'))).toBe(3_600_000)
    expect(w.text()).toContain('1号罐区可燃气体')
    expect(w.text()).toContain('高报 25')
    w.unmount()
  })
})

describe('KPI page', () => {
  it('shows the cards and tables', async () => {
    stubApi()
    const w = await mountAt(KpiPage, '/monitoring/kpi', '/monitoring/kpi')
    expect(w.find('[data-testid=kpi-total]').text()).toContain('40')
    expect(w.find('[data-testid=kpi-top10]').text()).toContain('GT-7')
    expect(w.find('[data-testid=kpi-stale]').text()).toContain('#77')
    w.unmount()
  })
})

describe('webhook page', () => {
  it('lists webhooks and their deliveries', async () => {
    stubApi()
    const w = await mountAt(WebhookPage, '/monitoring/webhook', '/monitoring/webhook')
    expect(w.find('[data-testid=webhook-table]').text()).toContain('https://hooks.example/x')
    // (Element Plus also renders column slots with an empty row in a hidden div: click the one in the body)
    await w.find('.el-table__body-wrapper [data-testid=row-deliveries]').trigger('click')
    await flushPromises()
    await sleep(50)
    const dlg = document.querySelector('[data-testid=deliveries-dialog]')
    expect(dlg?.textContent).toContain('connection refused')
    expect(dlg?.textContent).toContain('失败')
    w.unmount()
  })
})
