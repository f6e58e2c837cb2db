import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount, flushPromises } from '@vue/test-utils'
import { createPinia } from 'pinia'
import ElementPlus from 'element-plus'
import { i18n } from '@/i18n'
import AssessDialog from '@/views/risk/components/AssessDialog.vue'
import type { RiskPoint } from '@/api/risk'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
const scale = (vals: number[]) => vals.map((v) => ({ value: v, meaning: `m${v}` }))
const SCALES = {
  lecL: scale([10, 6, 3, 1, 0.5]),
  lecE: scale([10, 6, 3, 2, 1]),
  lecC: scale([100, 40, 15, 7, 3, 1]),
  lecBands: 'D>320 major',
  lsL: scale([1, 2, 3, 4, 5]),
  lsS: scale([1, 2, 3, 4, 5]),
  lsBands: 'R>=20 major',
  reviewCycles: { major: 90, high: 180, medium: 365, low: 365 },
}

function server() {
  return vi.fn(async (url: string, init?: RequestInit) => {
    if (url.startsWith('/api/risk-scales')) return json(SCALES)
    if (url.startsWith('/api/calc/lec')) {
      const b = JSON.parse(String(init?.body))
      const d = b.l * b.e * b.c
      return json({ d, level: d > 320 ? 'major' : d > 160 ? 'high' : d > 70 ? 'medium' : 'low', danger: 'x' })
    }
    if (url.includes('/assessments')) return json({ assessment: {}, point: {} })
    return new Response('not found', { status: 404 })
  })
}

async function settle() {
  for (let i = 0; i < 3; i++) {
    await flushPromises()
    await sleep(30)
  }
}

async function pick(testid: string, index: number) {
  const sel = document.querySelector(`[data-testid=${testid}]`) as HTMLElement
  expect(sel, testid).not.toBeNull()
  ;(sel.querySelector('.el-select__wrapper') as HTMLElement).click()
  await settle()
  // The select's input names its listbox (aria-controls).
  const listbox = document.getElementById(sel.querySelector('input')!.getAttribute('aria-controls')!)!
  const opts = listbox.querySelectorAll('.el-select-dropdown__item')
  ;(opts[index] as HTMLElement).click()
  await settle()
}

describe('assessment dialog', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
    document.body.innerHTML = ''
  })

  it('mounted open: loads the scales, chooses nothing, and confirms only a complete choice', async () => {
    const fetchMock = server()
    vi.stubGlobal('fetch', fetchMock)
    const point = { id: 7, name: '储罐区', level: null } as unknown as RiskPoint
    // As the 风险点 and 复评 lists mount it: v-if with the model already true.
    const w = mount(AssessDialog, {
      props: { point, modelValue: true },
      global: { plugins: [createPinia(), i18n, ElementPlus] },
      attachTo: document.body,
    })
    await settle()
    expect(fetchMock.mock.calls.some(([u]) => String(u).startsWith('/api/risk-scales'))).toBe(true)
    for (const id of ['assess-l', 'assess-e', 'assess-c']) {
      const sel = document.querySelector(`[data-testid=${id}]`)
      expect(sel, id).not.toBeNull()
      // No value chosen: the placeholder shows.
      expect(sel!.querySelector('.el-select__placeholder')?.classList.contains('is-transparent')).toBe(true)
    }
    const submit = () => document.querySelector('[data-testid=assess-submit]') as HTMLButtonElement
    expect(submit().disabled).toBe(true)
    submit().click()
    await settle()
    expect(fetchMock.mock.calls.some(([u]) => String(u).includes('/assessments'))).toBe(false)
    expect(fetchMock.mock.calls.some(([u]) => String(u).startsWith('/api/calc'))).toBe(false)

    await pick('assess-l', 2) // 3
    await pick('assess-e', 1) // 6
    expect(submit().disabled).toBe(true)
    await pick("assess-c", 3) // 7
    expect(submit().disabled).toBe(false)
    submit().click()
    await settle()
    const post = fetchMock.mock.calls.find(([u]) => String(u).includes('/assessments'))
    expect(post).toBeDefined()
    expect(JSON.parse(String(post![1]!.body))).toMatchObject({ method: 'lec', l: 3, e: 6, c: 7 })
    w.unmount()
  })
})
