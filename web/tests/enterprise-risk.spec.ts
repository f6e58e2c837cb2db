import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import ElementPlus from 'element-plus'
import { i18n } from '@/i18n'
import { itemLink, type EnterpriseRisk, type RiskItem } from '@/api/enterpriseRisk'
import RiskBreakdown from '@/views/situation/enterprise-risk/RiskBreakdown.vue'
import RankingPage from '@/views/situation/enterprise-risk/index.vue'
import { useUserStore } from '@/store/user'

const alarmItem: RiskItem = {
  kind: 'active_alarm', count: 1, points: 15, rawPoints: 15, refs: [42], condition: 'high_high',
  text: '1 条高高报警活动中：T-101 反应器压力 2950 kPa',
}

function risk(id: number, over: Partial<EnterpriseRisk> = {}): EnterpriseRisk {
  return {
    enterpriseId: id, enterpriseName: '企业' + id, regionId: 1, regionName: '玄武区', score: 15, level: 'low', colour: 'blue',
    inherentScore: 0, liveScore: 15, breakdown: [alarmItem], summary: '蓝色：' + alarmItem.text,
    computedAt: '2026-12-06T10:00:00Z', changedAt: '2026-12-06T10:00:00Z', ...over,
  }
}

function router() {
  return createRouter({ history: createMemoryHistory(), routes: [{ path: '/:p(.*)*', component: { template: '<div />' } }] })
}

afterEach(() => {
  vi.unstubAllGlobals()
  document.body.innerHTML = ''
})

describe('dynamic enterprise risk', () => {
  it('links each cause to where it comes from', () => {
    expect(itemLink(alarmItem, 7)).toBe('/monitoring/alarm?id=42')
    expect(itemLink({ ...alarmItem, kind: 'installation', refs: [3] }, 7)).toBe('/risk/major-hazard?id=3')
    expect(itemLink({ ...alarmItem, kind: 'overdue_hidden_danger', refs: [] }, 7)).toBe('/hidden-danger/record?enterpriseId=7&overdue=true')
    expect(itemLink({ ...alarmItem, kind: 'risk_point', refs: [5] }, 7)).toBe('/risk/point/5')
    expect(itemLink({ ...alarmItem, kind: 'recent_accident', refs: [] }, 7)).toBeNull()
  })

  it('shows the breakdown with points and the cap', () => {
    const w = mount(RiskBreakdown, {
      props: { items: [alarmItem, { ...alarmItem, kind: 'major_hidden_danger', points: 40, rawPoints: 60, text: '3 条重大事故隐患未销号', refs: [] }], enterpriseId: 1 },
      global: { plugins: [ElementPlus, i18n, router()] },
    })
    expect(w.text()).toContain('T-101 反应器压力 2950 kPa')
    expect(w.text()).toContain('活动报警')
    expect(w.text()).toContain('封顶前 60 分')
  })

  it('ranks enterprises with colour tags; recompute needs its permission', async () => {
    setActivePinia(createPinia())
    const calls: string[] = []
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      calls.push(url)
      const body = { rows: [risk(2, { score: 75, level: 'major', colour: 'red' }), risk(1)], total: 2 }
      return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
    }))
    const me = useUserStore()
    me.permissions = ['situation:risk:list']
    const w = mount(RankingPage, { global: { plugins: [ElementPlus, i18n, router()] } })
    await flushPromises()
    expect(calls[0]).toContain('/api/enterprise-risks?')
    const tags = w.findAll('[data-testid="risk-level-tag"]')
    expect(tags.map((t) => t.attributes('data-colour'))).toEqual(['red', 'blue'])
    expect(w.text()).toContain('企业2')
    expect(w.find('[data-testid="btn-recompute"]').exists()).toBe(false)
  })
})
