// Browser tests of the risk pages (风险分级管控) on the demo data: the demo chemical enterprise's
// manager (`enterprise`) creates a risk point, assesses it and sees its colour; the four-colour list
// as of a past date; the printable card with its QR code; the list on a phone.
//
// Run: ANJIAN_BIN=/path/to/anjian node --test risk.test.mjs (build the console first: the binary
// embeds web/dist).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { api, apiLogin, input, launchBrowser, login, newPage, screenshot, startServer, tid } from './harness.mjs'

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

/** Pick the option whose text contains `text` in the Element Plus select with data-testid `id`. */
async function choose(page, id, text) {
  await tid(page, id).click()
  await page.locator('.el-select-dropdown:visible .el-select-dropdown__item', { hasText: text }).first().click()
}

const isoDaysAgo = (n) => new Date(Date.now() + 8 * 3600_000 - n * 86_400_000).toISOString().slice(0, 10)

describe('risk grading and control', () => {
  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    token = await apiLogin(server.baseUrl, 'enterprise')
  })
  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  test('a manager creates a risk point, assesses it and sees its colour', async (t) => {
    await withPage(t, async (page) => {
      await login(page, 'enterprise')
      await page.goto('/risk/point')
      await tid(page, 'risk-points-table').waitFor()
      // The demo points are there with their colours.
      await page.locator('[data-testid="risk-level-tag"][data-colour="red"]').first().waitFor()
      await tid(page, 'btn-add').click()
      const dlg = tid(page, 'point-dialog')
      await input(dlg, 'point-code').fill('FX-T01')
      await input(dlg, 'point-name').fill('测试导热油炉')
      await input(dlg, 'point-hazards').fill('2201, 2102')
      await input(dlg, 'point-accidents').fill('08 07')
      await tid(dlg, 'point-submit').click()
      await dlg.waitFor({ state: 'hidden' })
      // Open it and assess: LEC 6 × 6 × 15 = 540 → 重大 (red).
      await input(page, 'filter-keyword').fill('FX-T01')
      await tid(page, 'btn-search').click()
      await tid(page, 'point-link-FX-T01').click()
      await page.waitForURL(/\/risk\/point\/\d+$/)
      await tid(page, 'point-title').waitFor()
      assert.equal(await tid(page, 'detail-level').getAttribute('data-colour'), 'none')
      await tid(page, 'btn-assess').click()
      const a = tid(page, 'assess-dialog')
      await a.waitFor()
      await choose(page, 'assess-l', '相当可能')
      await choose(page, 'assess-e', '每天工作时间内暴露')
      await choose(page, 'assess-c', '非常严重')
      await tid(a, 'assess-preview').locator('[data-colour="red"]').waitFor()
      await tid(a, 'assess-submit').click()
      await a.waitFor({ state: 'hidden' })
      await page.locator('[data-testid="detail-level"][data-colour="red"]').waitFor()
      assert.match(await tid(page, 'detail-level').innerText(), /重大风险/)
      // No measure yet: the graded-control warning asks for a company-level one.
      await tid(page, 'gap-warning').waitFor()
      assert.match(await tid(page, 'gap-warning').innerText(), /公司级/)
      await tid(page, 'btn-add-measure').click()
      await input(page, 'measure-content').fill('设置温度高高联锁')
      await choose(page, 'measure-level', '公司级')
      await tid(page, 'measure-submit').click()
      await tid(page, 'gap-warning').waitFor({ state: 'detached' })
      // The history shows the first level.
      await tid(page, 'history-change').first().waitFor()
      assert.match(await tid(page, 'history-timeline').innerText(), /首次评估为 重大风险/)
    })
  })

  test('the assessment dialog opened from a list row asks for every factor', async (t) => {
    await withPage(t, async (page) => {
      await login(page, 'enterprise')
      await page.goto('/risk/point')
      await tid(page, 'risk-points-table').waitFor()
      await input(page, 'filter-keyword').fill('FX-002')
      await tid(page, 'btn-search').click()
      // The list mounts the dialog already open: the scales load and no factor is chosen for the user.
      await tid(page, 'assess-FX-002').click()
      const a = tid(page, 'assess-dialog')
      await a.waitFor()
      for (const id of ['assess-l', 'assess-e', 'assess-c']) {
        await tid(a, id).waitFor()
        assert.match(await tid(a, id).innerText(), /请选择/, `${id} starts unchosen`)
      }
      assert.equal(await tid(a, 'assess-submit').isDisabled(), true, '确定 is disabled before the factors are chosen')
      await tid(a, 'assess-submit').click({ force: true })
      await page.waitForTimeout(300)
      assert.equal(await a.isVisible(), true, 'nothing was saved')
      await choose(page, 'assess-l', '相当可能')
      await choose(page, 'assess-e', '每天工作时间内暴露')
      assert.equal(await tid(a, 'assess-submit').isDisabled(), true, 'still incomplete')
      await choose(page, 'assess-c', '非常严重')
      await tid(a, 'assess-preview').locator('[data-colour="red"]').waitFor()
      assert.equal(await tid(a, 'assess-submit').isDisabled(), false)
    })
  })

  test('the four-colour list as of a past date, and its export', async (t) => {
    await withPage(t, async (page) => {
      await login(page, 'enterprise')
      await page.goto('/risk/list')
      await tid(page, 'risk-list-table').waitFor()
      const count = async (l) => Number(await tid(page, `count-${l}`).innerText())
      await page.waitForFunction(() => document.querySelector('[data-testid="count-major"]')?.textContent !== '0')
      assert.ok((await count('major')) >= 2, 'the demo has major risks now')
      // 200 days ago only the reactor area (较大 then) had been assessed.
      const day = isoDaysAgo(200)
      await input(page, 'as-of').fill(day)
      await input(page, 'as-of').press('Enter')
      await tid(page, 'btn-list-search').click()
      await page.waitForFunction(() => document.querySelector('[data-testid="count-high"]')?.textContent === '1' && document.querySelector('[data-testid="count-major"]')?.textContent === '0')
      const body = await tid(page, 'risk-list-table').innerText()
      assert.match(body, /聚合反应釜区/)
      const [download] = await Promise.all([page.waitForEvent('download'), tid(page, 'btn-export').click()])
      assert.match(download.suggestedFilename(), /四色风险清单.*\.xlsx$/)
    })
  })

  test('the printable card shows the colour band and the QR code', async (t) => {
    const list = await api(server.baseUrl, token, 'GET', '/api/risk-points?keyword=FX-002')
    const id = list.body.rows[0].id
    await withPage(t, async (page) => {
      await login(page, 'enterprise')
      await page.goto(`/risk/card/${id}`)
      await tid(page, 'card-qr').waitFor()
      const src = await tid(page, 'card-qr').getAttribute('src')
      assert.ok(src.startsWith('data:image/svg+xml'), 'the QR is an SVG image')
      assert.ok(await tid(page, 'card-qr').evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR image renders')
      assert.match(await tid(page, 'card-band').innerText(), /重大风险/)
      const bg = await tid(page, 'card-band').evaluate((e) => getComputedStyle(e).backgroundColor)
      assert.equal(bg, 'rgb(229, 57, 53)')
      assert.match(await tid(page, 'card-name').innerText(), /甲醇储罐区/)
    })
  })

  test('phone: the risk point list opens', async (t) => {
    await withPage(t, async (page) => {
      await login(page, 'worker')
      await page.goto('/risk/point')
      await tid(page, 'risk-points-table').waitFor()
      await page.locator('[data-testid="risk-level-tag"]').first().waitFor()
      assert.equal(await tid(page, 'btn-add').count(), 0, 'a worker cannot add')
      const width = await page.evaluate(() => document.documentElement.scrollWidth)
      assert.ok(width <= 390 + 1, `no horizontal page scroll (scrollWidth ${width})`)
      await page.locator('[data-testid^="point-link-"]').first().click()
      await tid(page, 'point-title').waitFor()
    }, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })
  })
})
