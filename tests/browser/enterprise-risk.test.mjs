// Browser test of the dynamic enterprise risk (企业动态风险) on the demo data: the ranking with
// colour tags, a row's breakdown, the history drawer; the dossier's risk badge and 动态风险 tab.
//
// Run: ANJIAN_BIN=/path/to/anjian node --test enterprise-risk.test.mjs (build the console first:
// the binary embeds web/dist, or set ANJIAN_WEB_DIST).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { ADMIN_PASSWORD, api, apiLogin, launchBrowser, login, newPage, screenshot, startServer, tid, WAIT } from './harness.mjs'

let server
let browser
let token

async function withPage(t, body) {
  const { context, page } = await newPage(browser, server.baseUrl)
  try {
    await body(page)
    assert.deepEqual(page.consoleErrors, [], 'no uncaught errors in the page')
  } finally {
    await screenshot(page, t.name).catch((e) => console.error('screenshot failed:', e))
    await context.close()
  }
}

describe('dynamic enterprise risk', () => {
  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    token = await apiLogin(server.baseUrl, 'admin', ADMIN_PASSWORD)
  })
  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  test('the ranking shows colour tags, the breakdown and the history', async (t) => {
    // The startup recomputation has stored every demo enterprise.
    const deadline = Date.now() + WAIT
    let ranking
    do {
      ranking = await api(server.baseUrl, token, 'GET', '/api/enterprise-risks?pageSize=5')
      if (ranking.body.total > 0) break
      await new Promise((r) => setTimeout(r, 200))
    } while (Date.now() < deadline)
    assert.equal(ranking.status, 200)
    assert.ok(ranking.body.total > 0, 'the demo enterprises are ranked')
    const top = ranking.body.rows[0]
    await withPage(t, async (page) => {
      await login(page, 'admin', ADMIN_PASSWORD)
      await page.goto('/situation/enterprise-risk')
      await tid(page, 'erisk-table').waitFor()
      await page.locator('[data-testid="erisk-table"] [data-testid="risk-level-tag"]').first().waitFor()
      await page.locator('[data-testid="erisk-table"] .el-table__expand-icon').first().click()
      await tid(page, 'risk-breakdown').first().waitFor()
      if (top.breakdown.length) await page.locator(`[data-testid="risk-breakdown"] [data-kind="${top.breakdown[0].kind}"]`).first().waitFor()
      await tid(page, 'btn-erisk-open').first().click()
      await tid(page, 'enterprise-risk-panel').waitFor()
      // The demo's live feed may change the summary meanwhile: check its shape.
      const summary = await tid(page, 'risk-summary').innerText()
      assert.match(summary, /^(红|橙|黄|蓝)色：/)
    })
  })

  test('the dossier shows the risk badge and the dynamic risk tab', async (t) => {
    const ranking = await api(server.baseUrl, token, 'GET', '/api/enterprise-risks?pageSize=1')
    const top = ranking.body.rows[0]
    await withPage(t, async (page) => {
      await login(page, 'admin', ADMIN_PASSWORD)
      await page.goto(`/enterprise/dossier/${top.enterpriseId}`)
      await tid(page, 'dossier-risk-badge').click()
      await tid(page, 'dossier-dynamic-risk-tab').waitFor()
      await page.locator('[data-testid="dossier-dynamic-risk-tab"] [data-testid="risk-summary"]').waitFor()
      const summary = await page.locator('[data-testid="dossier-dynamic-risk-tab"] [data-testid="risk-summary"]').innerText()
      assert.match(summary, /^(红|橙|黄|蓝)色：/)
    })
  })
})
