// The demo city as a new user meets it (README "A first look"): `anjian demo` with the Tennessee
// Eastman replay at high speed (fault 6, A feed loss, one 3-minute row every DEMO_INTERVAL_MS).
//
// 1. `city` opens 态势总览: the reactor plant (the `plant` account's enterprise) is yellow (一般: a
//    三级 installation and a 较大 risk point). When the reactor pressure passes 2895 kPa the high
//    alarm appears in the live feed and, without a reload, the plant's marker turns orange (较大)
//    and its top-ten reason names the alarm.
// 2. `city` sees the alarm in 实时报警 with the value of the data file's row (read here from
//    d06_te.dat, not written into the test).
// 3. `plant`, the plant's safety manager, acknowledges it and turns it into a hidden danger (转为隐患),
//    which opens the new record: source alarm, his enterprise, linked to the alarm.
// 4. Without the data the demo plays a simulated signal, labelled （模拟信号） in the console.
//
// With ANJIAN_DOC_SCREENSHOTS=1 the pictures of the README walkthrough go to docs/screenshots/
// (install a CJK font first, e.g. Debian's fonts-noto-cjk, or Chinese text shows as boxes).
//
// Run: ANJIAN_BIN=/path/to/anjian node --test demo.test.mjs (needs the TEP data, see tepDir()).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { DEMO_PASSWORD, WAIT, api, apiLogin, docScreenshot, input, launchBrowser, login, newPage, screenshot, startServer, tepDir, tid, until } from './harness.mjs'

const TEP = tepDir()
const SKIP = TEP || process.env.CI
  ? false
  : 'no Tennessee Eastman data: set ANJIAN_TEP_DIR or put d00_te.dat and d06_te.dat in ../shared/data/tep next to the repository'
const SOURCE = 'TEP-R101-PT'
/** crates/server/src/demo.rs REACTOR_PLANT_NAME */
const REACTOR_PLANT = '栖霞紫金新材料化工有限公司'
/** One TEP row every 250 ms: the alarm comes 119 rows (about 30 s) after start and stays for about
 *  80 s (until the loop switches to normal operation), time enough to watch it from two accounts. */
const DEMO_INTERVAL_MS = 250
const ALARM_WAIT = 150 * DEMO_INTERVAL_MS + 30_000

let browser



async function withPage(server, t, body, options) {
  const { context, page } = await newPage(browser, server.baseUrl, options)
  try {
    await body(page)
    assert.deepEqual(page.consoleErrors, [], 'no uncaught errors in the page')
  } finally {
    await screenshot(page, t.name).catch((e) => console.error('screenshot failed:', e))
    await context.close()
  }
}

/** The reactor pressure (XMEAS(7), column 7) of the first row of fault 6 above 2895 kPa, as the
 *  console shows it (one decimal), read from the data file. */
async function firstHighValue(dir) {
  const rows = (await readFile(path.join(dir, 'd06_te.dat'), 'utf8')).split('\n').filter((l) => l.trim())
  const row = rows.map((l) => Number(l.trim().split(/\s+/)[6])).find((v) => v > 2895)
  assert.ok(row, 'fault 6 passes 2895 kPa')
  return row
}

before(async () => {
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
})

describe('the demo city with the live TEP feed', { skip: SKIP }, () => {
  let server
  const tokens = {}
  let plantId
  let expected
  let alarm

  const get = async (who, url) => {
    const res = await api(server.baseUrl, tokens[who], 'GET', url)
    assert.equal(res.status, 200, `GET ${url} as ${who}: ${res.status} ${JSON.stringify(res.body)}`)
    return res.body
  }
  const risk = () => get('city', `/api/enterprises/${plantId}/risk`)
  const activeAlarm = async () =>
    (await get('city', `/api/alarms?active=true&source=${SOURCE}&pageNum=1&pageSize=5`)).rows.find((a) => a.source === SOURCE && a.condition === 'high')

  before(async () => {
    if (!TEP) throw new Error('CI is set but there is no Tennessee Eastman data (ANJIAN_TEP_DIR or ../shared/data/tep)')
    expected = await firstHighValue(TEP)
    server = await startServer({ tep: TEP, tepIntervalMs: DEMO_INTERVAL_MS })
    for (const who of ['city', 'plant']) tokens[who] = await apiLogin(server.baseUrl, who)
    const sensor = (await get('city', `/api/sensors?code=${SOURCE}`)).rows.find((s) => s.code === SOURCE)
    plantId = sensor.enterpriseId
    assert.equal(sensor.enterpriseName, REACTOR_PLANT)
    const own = await get('plant', '/api/enterprises?pageNum=1&pageSize=5')
    assert.deepEqual(own.rows.map((e) => e.id), [plantId], 'the plant account sees its own enterprise, the reactor plant')
  })
  after(async () => {
    await server?.stop()
  })

  test('the start-up output names the console URL, the demo accounts and the live feed', () => {
    const out = server.output()
    assert.match(out, new RegExp(`http://127\\.0\\.0\\.1:${server.port}`))
    assert.match(out, new RegExp(`password ${DEMO_PASSWORD.replace(/[@]/g, '\\$&')}`))
    for (const user of ['city', 'xuanwu', 'housing', 'enterprise', 'plant', 'worker', 'repair']) assert.match(out, new RegExp(`\\n\\s+${user}\\s`), user)
    assert.match(out, /replays Tennessee Eastman fault 6 \(A feed loss\)/)
  })

  test('态势总览: the reactor plant turns from yellow to orange when the reactor-pressure alarm comes', async (t) => {
    await withPage(server, t, async (page) => {
      const before = await risk()
      assert.equal(await activeAlarm(), undefined, 'the alarm has not come yet (the test started too late)')
      assert.equal(before.level, 'medium', `the plant starts yellow: ${JSON.stringify(before)}`)
      await login(page, 'city')
      await page.goto('/situation/dashboard')
      const marker = page.locator(`path.sit-ent-${plantId}`)
      await until(async () => (await marker.getAttribute('class'))?.includes('sit-level-medium'), 'the plant\'s marker in yellow')
      assert.equal(await marker.getAttribute('fill'), '#fdd835')
      await docScreenshot(page, 'demo-dashboard-before')

      // The alarm comes over MQTT from the replay; the page follows the alarm stream.
      alarm = await until(activeAlarm, `the ${SOURCE} high alarm`, ALARM_WAIT)
      const feedRow = tid(page, `sit-feed-${alarm.id}`)
      await feedRow.waitFor({ timeout: WAIT })
      assert.match(await feedRow.innerText(), new RegExp(`反应器压力[\\s\\S]*高报 ${expected.toFixed(1).replace('.', '\\.')} kPa`))
      await until(async () => (await marker.getAttribute('class'))?.includes('sit-level-high'), 'the plant\'s marker in orange')
      assert.equal(await marker.getAttribute('fill'), '#fb8c00')
      // Not hidden under a neighbour: the topmost element at the marker's centre is the marker.
      const box = await marker.boundingBox()
      const top = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.getAttribute('class') ?? '', [box.x + box.width / 2, box.y + box.height / 2])
      assert.match(top, new RegExp(`sit-ent-${plantId}\\b`), `the plant's marker is on top at its centre (found "${top}")`)
      const now = await risk()
      assert.equal(now.level, 'high')
      assert.ok(now.score >= 45 && now.score < 70, `score ${now.score}`)
      const because = now.breakdown.find((b) => b.kind === 'active_alarm')
      assert.ok(because?.refs.includes(alarm.id), `the breakdown names alarm #${alarm.id}: ${JSON.stringify(now.breakdown)}`)
      const topRow = tid(page, 'sit-top-risks').locator('tr', { has: tid(page, `sit-top-${plantId}`) })
      await until(async () => /反应器压力/.test(await topRow.innerText()), 'the top-ten reason to name the reactor pressure')
      const history = await get('city', `/api/enterprises/${plantId}/risk/history?pageNum=1&pageSize=20`)
      const levels = history.rows.map((h) => `${h.level}/${h.trigger}`)
      assert.equal(levels[0], 'high/alarm', `newest first: ${levels}`)
      assert.ok(levels.slice(1).some((l) => l.startsWith('medium/')), `the history keeps the yellow before: ${levels}`)
      await docScreenshot(page, 'demo-dashboard-alarm')
    })
  })

  test('实时报警: the alarm carries the value of the data file', async (t) => {
    assert.ok(alarm, 'the previous test saw the alarm')
    await withPage(server, t, async (page) => {
      await login(page, 'city')
      await page.goto('/monitoring/alarm')
      const row = tid(page, 'alarm-table').locator(`tr.el-table__row.alarm-id-${alarm.id}`)
      await row.waitFor()
      const shown = expected.toFixed(1)
      await until(async () => {
        const text = await row.innerText()
        return text.includes('反应器压力') && text.includes(`${shown} kPa`) && text.includes('高报') && text.includes(REACTOR_PLANT)
      }, `the row with 反应器压力, ${shown} kPa, 高报 and the plant`)
      const stored = await get('city', `/api/alarms/${alarm.id}`)
      assert.equal(stored.firstValue, expected, 'the raise value is the data file\'s')
      await docScreenshot(page, 'demo-alarm')
    })
  })

  test('the plant\'s safety manager acknowledges the alarm and turns it into a hidden danger', async (t) => {
    await withPage(server, t, async (page) => {
      await login(page, 'plant')
      await page.goto('/monitoring/alarm')
      const row = tid(page, 'alarm-table').locator(`tr.el-table__row.alarm-id-${alarm.id}`)
      await row.waitFor()
      await tid(row, 'alarm-row-ack').click()
      const dialog = tid(page, 'alarm-action-dialog').locator('visible=true').first()
      await dialog.waitFor()
      await input(dialog, 'action-comment').fill('已降负荷，安排检查 A 进料管线')
      await tid(dialog, 'action-submit').click()
      await dialog.waitFor({ state: 'hidden' })
      await until(async () => (await row.locator('.el-tag').allInnerTexts()).join(' ').includes('已确认'), 'the row to show 已确认')
      const acked = await get('city', `/api/alarms/${alarm.id}`)
      assert.equal(acked.ackedBy, 'plant')
      assert.equal(acked.ackComment, '已降负荷，安排检查 A 进料管线')

      await tid(row, 'alarm-row-to-hd').click()
      await page.waitForURL(/\/hidden-danger\/detail\/\d+/)
      const hdId = Number(/detail\/(\d+)/.exec(page.url())[1])
      await tid(page, 'hd-description').waitFor()
      await until(async () => /反应器压力/.test(await tid(page, 'hd-description').innerText()), 'the description to name the reactor pressure')
      assert.equal(await tid(page, 'hd-status').getAttribute('data-status'), 'reported')
      assert.match(await tid(page, 'hd-description').innerText(), new RegExp(`报警值 ${expected.toFixed(1).replace('.', '\\.')} kPa`))
      assert.equal(await tid(page, 'hd-alarm-link').getAttribute('href'), `/monitoring/alarm?id=${alarm.id}`, 'the record links back to its alarm')
      const hd = await get('plant', `/api/hidden-dangers/${hdId}`)
      assert.equal(hd.source, 'alarm')
      assert.equal(hd.enterpriseId, plantId)
      assert.equal(hd.alarmId, alarm.id)
      await docScreenshot(page, 'demo-hidden-danger')
    })
    // The bureau sees the new record in the ledger.
    const ledger = await get('city', `/api/hidden-dangers?enterpriseId=${plantId}&source=alarm&pageNum=1&pageSize=5`)
    assert.equal(ledger.total, 1)
  })
})

describe('the demo city without the TEP data', () => {
  let server
  let token

  before(async () => {
    server = await startServer({ tep: 'simulated', tepIntervalMs: 20 })
    token = await apiLogin(server.baseUrl, 'city')
  })
  after(async () => {
    await server?.stop()
  })

  test('says where to get the data and plays a labelled simulated signal that raises the reactor alarm', async (t) => {
    const out = server.output()
    assert.match(out, /No TEP data found/)
    assert.match(out, /github\.com\/camaramm\/tennessee-eastman-profBraatz/)
    assert.match(out, /SIMULATED SIGNAL/)
    const alarm = await until(async () => {
      const res = await api(server.baseUrl, token, 'GET', `/api/alarms?source=${SOURCE}&pageNum=1&pageSize=5`)
      return res.body.rows?.find((a) => a.condition === 'high')
    }, 'the simulated reactor-pressure alarm', 30_000)
    assert.match(alarm.sourceName, /（模拟信号）$/)
    assert.ok(alarm.firstValue > 2895 && alarm.firstValue < 3000, `value ${alarm.firstValue}`)
    await withPage(server, t, async (page) => {
      await login(page, 'city')
      await page.goto('/monitoring/alarm')
      const row = tid(page, 'alarm-table').locator(`tr.el-table__row.alarm-id-${alarm.id}`)
      await row.waitFor()
      assert.match(await row.innerText(), /反应器压力（模拟信号）/)
    })
  })
})
