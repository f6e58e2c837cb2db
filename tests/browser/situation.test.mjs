// Browser tests of the situation pages (态势感知) on the demo data, as the city administrator
// (`city`): the map's markers have the colour of their enterprise's dynamic-risk level as
// `/api/situation/map` reports it (at least two levels present); an alarm raised over HTTP
// telemetry appears in the live feed without a reload; a marker and a top-risk row open the
// enterprise dossier; the large screen and the region statistics render.
//
// The dynamic-risk worker (once merged) computes every enterprise at start-up; when fewer than two
// levels exist yet, two enterprises get an `enterprise_risks` row written straight into the
// server's SQLite file, so the colours are checked against the API either way.
//
// Run: ANJIAN_BIN=/path/to/anjian node --test situation.test.mjs (build the console first: the
// binary embeds web/dist).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import path from 'node:path'
import { ADMIN_PASSWORD, WAIT, api, apiLogin, launchBrowser, login, newPage, screenshot, startServer, tid, until } from './harness.mjs'

let server
let browser
const tokens = {}

/** The colours of the risk pages (web/src/views/risk/helpers.ts), grey for 未评估. */
const HEX = { major: '#e53935', high: '#fb8c00', medium: '#fdd835', low: '#1e88e5', none: '#909399' }

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


const get = async (who, url) => {
  const res = await api(server.baseUrl, tokens[who], 'GET', url)
  assert.equal(res.status, 200, `GET ${url} as ${who}: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body
}


/** Make sure at least two dynamic-risk levels exist (see the header). */
async function ensureTwoLevels() {
  const map = await get('city', '/api/situation/map')
  const levels = new Set(map.enterprises.map((e) => e.level ?? 'none'))
  if (levels.size >= 2) return
  const ids = map.enterprises.filter((e) => e.lon !== null).slice(0, 2).map((e) => e.id)
  assert.equal(ids.length, 2, 'the demo has placed enterprises')
  const db = path.join(server.dir, 'anjian.db')
  const now = new Date().toISOString().replace('Z', '+00:00')
  const script = `
import sqlite3, sys
c = sqlite3.connect(sys.argv[1], timeout=10)
for eid, score, level, summary in [(int(sys.argv[2]), 75, 'major', '红色：测试数据'), (int(sys.argv[3]), 25, 'medium', '黄色：测试数据')]:
    c.execute("INSERT OR REPLACE INTO enterprise_risks (enterprise_id, score, level, inherent_score, live_score, breakdown, summary, computed_at, changed_at) VALUES (?, ?, ?, ?, 0, '{}', ?, ?, ?)", (eid, score, level, score, summary, sys.argv[4], sys.argv[4]))
c.commit()
`
  execFileSync('python3', ['-c', script, db, String(ids[0]), String(ids[1]), now])
}

describe('situation dashboard', () => {
  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
    tokens.city = await apiLogin(server.baseUrl, 'city')
    tokens.admin = await apiLogin(server.baseUrl, 'admin', ADMIN_PASSWORD)
    await ensureTwoLevels()
  })
  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  test('map markers have the colour of their level and a click opens the dossier', async (t) => {
    await withPage(t, async (page) => {
      await login(page, 'city')
      await page.goto('/situation/dashboard')
      await tid(page, 'situation-map').waitFor()
      const map = await get('city', '/api/situation/map')
      const placed = map.enterprises.filter((e) => e.lon !== null && e.lat !== null)
      assert.ok(placed.length >= 10, `the demo places its enterprises (${placed.length})`)
      const levels = new Set(placed.map((e) => e.level ?? 'none'))
      assert.ok(levels.size >= 2, `at least two levels on the map: ${[...levels]}`)
      assert.ok(map.regions.length >= 6, 'the demo districts have outlines')
      await page.locator(`path.sit-ent-${placed[0].id}`).waitFor({ state: 'attached' })
      await page.locator('path.leaflet-interactive').first().waitFor({ state: 'attached' })
      const fills = await page.evaluate(() =>
        Object.fromEntries(
          [...document.querySelectorAll('path.sit-marker')].map((p) => {
            const id = [...p.classList].find((c) => /^sit-ent-\d+$/.test(c))
            return [id?.slice(8), p.getAttribute('fill')]
          }),
        ),
      )
      assert.equal(Object.keys(fills).length, placed.length, 'one marker per placed enterprise')
      for (const e of placed) {
        assert.equal(fills[String(e.id)]?.toLowerCase(), HEX[e.level ?? 'none'], `enterprise ${e.id} (${e.name}, ${e.level})`)
      }
      // The legend counts match the summary.
      const summary = await get('city', '/api/situation/summary')
      const legend = await tid(page, 'sit-legend').innerText()
      for (const l of summary.byLevel) if (l.count > 0) assert.match(legend, new RegExp(String(l.count)))
      // A click on a marker opens that enterprise's dossier.
      const target = placed.find((e) => e.level) ?? placed[0]
      await page.locator(`path.sit-ent-${target.id}`).dispatchEvent('click')
      await page.waitForURL(new RegExp(`/enterprise/dossier/${target.id}$`), { timeout: WAIT })
    })
  })

  test('a new alarm appears in the live feed without a reload', async (t) => {
    await withPage(t, async (page) => {
      await login(page, 'city')
      await page.goto('/situation/dashboard')
      await tid(page, 'sit-feed').waitFor()
      await page.waitForTimeout(1500)
      const before = (await get('city', '/api/situation/alarms?limit=100')).rows.map((a) => a.id)
      const marker = await page.evaluate(() => (window.__situationMarker = Math.random()))
      // 3,100 kPa is above the reactor-pressure high limit (2,897.3 kPa) of the demo reactor unit.
      const res = await api(server.baseUrl, tokens.admin, 'POST', '/api/telemetry', { ts: Date.now(), values: { 'TEP-R101-PT': 3100 } })
      assert.equal(res.status, 200, JSON.stringify(res.body))
      const fresh = await until(async () => {
        const rows = (await get('city', '/api/situation/alarms?limit=100')).rows
        return rows.find((a) => !before.includes(a.id) && a.source === 'TEP-R101-PT')
      }, 'the alarm to be raised')
      await tid(page, `sit-feed-${fresh.id}`).waitFor({ timeout: WAIT })
      assert.match(await tid(page, `sit-feed-${fresh.id}`).innerText(), /反应器压力|TEP-R101-PT/)
      assert.equal(await page.evaluate(() => window.__situationMarker), marker, 'the page was not reloaded')
    })
  })

  test('a top-risk row opens the dossier', async (t) => {
    await withPage(t, async (page) => {
      await login(page, 'city')
      const top = await get('city', '/api/situation/top-risks?limit=10')
      assert.ok(top.length >= 1, 'some enterprise has a dynamic risk')
      for (let i = 1; i < top.length; i++) assert.ok(top[i - 1].score >= top[i].score, 'riskiest first')
      await page.goto('/situation/dashboard')
      await tid(page, `sit-top-${top[0].enterpriseId}`).click()
      await page.waitForURL(new RegExp(`/enterprise/dossier/${top[0].enterpriseId}$`), { timeout: WAIT })
    })
  })

  test('the large screen and the region statistics', async (t) => {
    await withPage(t, async (page) => {
      await login(page, 'city')
      await page.setViewportSize({ width: 1920, height: 1080 })
      await page.goto('/screen')
      await tid(page, 'situation-screen').waitFor()
      const summary = await get('city', '/api/situation/summary')
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid="screen-kpi-enterprises"]')?.textContent?.includes(String(n)),
        summary.enterprises,
      )
      await page.locator('path.sit-marker').first().waitFor({ state: 'attached' })
      assert.equal(await page.locator('.app-wrapper, .sidebar').count(), 0, 'no console chrome')
      await screenshot(page, 'screen')

      await page.goto('/situation/region-stats')
      await tid(page, 'region-stats-table').waitFor()
      const stats = await get('city', '/api/stats/regions')
      await tid(page, `region-stats-${stats.rows[0].regionId}`).waitFor()
      assert.equal(stats.total.enterprises, summary.enterprises)
      const [download] = await Promise.all([page.waitForEvent('download'), tid(page, 'region-stats-export').click()])
      assert.match(download.suggestedFilename(), /区域统计.*\.csv$/)
      // Invalid periods are refused field by field.
      const bad = await api(server.baseUrl, tokens.city, 'GET', '/api/stats/regions?from=2026-02-30')
      assert.equal(bad.status, 422)
      assert.ok(bad.body.fields.from)
    })
  })
})
