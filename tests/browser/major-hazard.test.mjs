// Browser tests of the major hazard installation page (重大危险源, GB 18218-2018) on the demo data:
// the demo chemical enterprise's manager (`enterprise`) creates an installation, watches the live
// preview of S / R / grade, opens the detail with the working table; then raises the inventory
// across S = 1 and sees the new grade and the history saying why. The dossier tab lists it too.
//
// Run: ANJIAN_BIN=/path/to/anjian node --test major-hazard.test.mjs (build the console first: the
// binary embeds web/dist, or set ANJIAN_WEB_DIST to a web/dist folder).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { api, apiLogin, input, launchBrowser, login, newPage, screenshot, startServer, tid, WAIT } from './harness.mjs'

let server
let browser
let token

async function withPage(t, body, options) {
  const { context, page } = await newPage(browser, server.baseUrl, options)
  try {
    await body(page, context)
    assert.deepEqual(page.consoleErrors, [], 'no uncaught errors in the page')
  } finally {
    await screenshot(page, t.name).catch((e) => console.error('screenshot failed:', e))
    await context.close()
  }
}

describe('major hazard installations', () => {
  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    token = await apiLogin(server.baseUrl, 'enterprise')
  })
  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  test('the demo installations are graded', async () => {
    const r = await api(server.baseUrl, token, 'GET', '/api/major-hazards?pageSize=50')
    assert.equal(r.status, 200)
    const byCode = Object.fromEntries(r.body.rows.map((x) => [x.code, x]))
    assert.equal(byCode['MH-T201'].grade, 2, 'liquid chlorine store: 二级 after its inventory change')
    assert.equal(byCode['MH-T202'].isMajor, false, 'methanol tank farm below S = 1')
    assert.equal(byCode['MH-R101'], undefined, 'the reactor unit belongs to the reactor plant, not to this enterprise')
    const plant = await api(server.baseUrl, await apiLogin(server.baseUrl, 'plant'), 'GET', '/api/major-hazards?pageSize=50')
    assert.deepEqual(plant.body.rows.map((x) => [x.code, x.grade]), [['MH-R101', 3]], 'the reactor plant: one 三级 unit')
    const h = await api(server.baseUrl, token, 'GET', `/api/major-hazards/${byCode['MH-T201'].id}/assessments`)
    assert.match(h.body[0].reason, /三级 → 二级/)
  })

  test('a manager creates an installation, sees grade and working, changes the inventory and sees the history', async (t) => {
    await withPage(t, async (page) => {
      await login(page, 'enterprise')
      await page.goto('/risk/major-hazard')
      await tid(page, 'mh-table').waitFor()
      await tid(page, 'mh-link-MH-T201').waitFor()
      await tid(page, 'mh-add').click()
      const dlg = tid(page, 'mh-dialog')
      await dlg.waitFor()
      await input(dlg, 'mh-code').fill('MH-B01')
      await input(dlg, 'mh-name').fill('测试液氯库')
      await input(dlg, 'mh-population').fill('120')
      await input(dlg, 'mh-sub-name-0').fill('液氯')
      await input(dlg, 'mh-sub-qty-0').fill('4.6')
      // Live preview: S = 4.6 / 5 = 0.92, not a major hazard.
      await page.locator('[data-testid="mh-preview-s"]', { hasText: '0.92' }).waitFor({ timeout: WAIT })
      assert.match(await tid(dlg, 'mh-preview-grade').innerText(), /不构成/)
      // A bad quantity is named on the row.
      await input(dlg, 'mh-sub-qty-0').fill('-1')
      await tid(dlg, 'mh-sub-error-0').waitFor()
      await input(dlg, 'mh-sub-qty-0').fill('4.6')
      await page.locator('[data-testid="mh-preview-s"]', { hasText: '0.92' }).waitFor()
      await tid(dlg, 'mh-save').click()
      await dlg.waitFor({ state: 'hidden' })
      await input(page, 'mh-filter-keyword').fill('MH-B01')
      await tid(page, 'mh-search').click()
      assert.match(await tid(page, 'mh-grade-MH-B01').innerText(), /不构成/)
      // The detail: working table and one history row.
      await tid(page, 'mh-link-MH-B01').click()
      const drawer = tid(page, 'mh-drawer')
      await tid(drawer, 'mh-working').waitFor()
      assert.equal(await tid(drawer, 'mh-working-s').innerText(), '0.92')
      assert.match(await tid(drawer, 'mh-working').innerText(), /表1/)
      await tid(drawer, 'mh-history').locator('tbody tr').first().waitFor()
      assert.equal(await tid(drawer, 'mh-history').locator('tbody tr').count(), 1)
      assert.match(await tid(drawer, 'mh-history').innerText(), /首次辨识/)
      // Edit: 氯 31.25 t → S = 6.25, α = 2, R = 2 × 4 × 6.25 = 50 → 二级.
      await tid(drawer, 'mh-drawer-edit').click()
      await dlg.waitFor()
      await input(dlg, 'mh-sub-qty-0').fill('31.25')
      await page.locator('[data-testid="mh-preview-grade"]', { hasText: '二级' }).waitFor()
      await tid(dlg, 'mh-save').click()
      await dlg.waitFor({ state: 'hidden' })
      await page.locator('[data-testid="mh-drawer-grade"]', { hasText: '二级' }).waitFor()
      await page.locator('[data-testid="mh-working-r"]', { hasText: '50' }).waitFor()
      await page.waitForFunction(() => document.querySelectorAll('[data-testid="mh-history"] tbody tr').length === 2)
      const first = await tid(drawer, 'mh-history').locator('tbody tr').first().innerText()
      assert.match(first, /S 0\.92 → 6\.25：跨越 S = 1，成为重大危险源/)
      assert.match(first, /二级/)
    })
  })

  test('the dossier tab and ?id= open the installation', async (t) => {
    const r = await api(server.baseUrl, token, 'GET', '/api/major-hazards?pageSize=50&keyword=MH-T201')
    const mh = r.body.rows[0]
    await withPage(t, async (page) => {
      await login(page, 'enterprise')
      await page.goto(`/risk/major-hazard?id=${mh.id}`)
      await tid(page, 'mh-drawer').locator('[data-testid="mh-working"]').waitFor()
      assert.match(await tid(page, 'mh-drawer').innerText(), /液氯钢瓶库/)
      await page.goto(`/enterprise/dossier/${mh.enterpriseId}`)
      await tid(page, 'dossier-tabs').waitFor()
      await page.locator('.el-tabs__item', { hasText: '重大危险源' }).click()
      await tid(page, 'dossier-major-hazard-tab').locator('[data-testid="mh-link-MH-T201"]').waitFor()
    })
  })
})
