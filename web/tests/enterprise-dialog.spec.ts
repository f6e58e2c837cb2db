import { describe, expect, it, vi } from 'vitest'
import { mount, flushPromises } from '@vue/test-utils'
import { createPinia } from 'pinia'
import ElementPlus from 'element-plus'
import { i18n } from '@/i18n'
import EnterpriseDialog from '@/views/enterprise/list/EnterpriseDialog.vue'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('enterprise dialog', () => {
  it('validates the credit code check character as it is typed', async () => {
    vi.stubGlobal('fetch', vi.fn())
    const w = mount(EnterpriseDialog, {
      props: { regions: [], dicts: { supervision_category: [], enterprise_scale: [], enterprise_status: [] } },
      global: { plugins: [createPinia(), i18n, ElementPlus] },
      attachTo: document.body,
    })
    ;(w.vm as unknown as { show: () => void }).show()
    await flushPromises()
    await sleep(100)
    const input = document.querySelector('[data-testid=ent-uscc] input, input[data-testid=ent-uscc]') as HTMLInputElement
    expect(input).not.toBeNull()
    input.value = '91110000600037341N'
    input.dispatchEvent(new Event('input'))
    await flushPromises()
    await sleep(100)
    await flushPromises()
    const err = document.querySelector('.el-form-item.is-error .el-form-item__error')
    expect(err?.textContent).toContain('L')
    input.value = '91110000600037341L'
    input.dispatchEvent(new Event('input'))
    await flushPromises()
    await sleep(100)
    await flushPromises()
    expect(document.querySelector('.el-form-item.is-error')).toBeNull()
    expect(document.querySelector('[data-testid=ent-uscc-ok]')).not.toBeNull()
    const lng = document.querySelector('input[data-testid=ent-longitude]') as HTMLInputElement
    lng.value = '200'
    lng.dispatchEvent(new Event('input'))
    await flushPromises()
    await sleep(100)
    await flushPromises()
    expect(lng.closest('.el-form-item')?.classList.contains('is-error')).toBe(true)
    expect(lng.closest('.el-form-item')?.textContent).toContain('-180')
    lng.value = '118.79'
    lng.dispatchEvent(new Event('input'))
    await flushPromises()
    await sleep(100)
    await flushPromises()
    // A longitude without a latitude: the latitude asks for its partner.
    const lat = document.querySelector('input[data-testid=ent-latitude]') as HTMLInputElement
    expect(lat.closest('.el-form-item')?.textContent).toContain('同时')
    w.unmount()
    vi.unstubAllGlobals()
  })
})
