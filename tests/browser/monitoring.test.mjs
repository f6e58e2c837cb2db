// Browser tests of the monitoring and alarm pages, on a server replaying the Tennessee Eastman
// data (fault 6, A feed loss) over MQTT: one row every TEP_INTERVAL_MS (20) ms, in a loop of 580
// rows. Each loop raises the reactor-pressure HIGH alarm (TEP-R101-PT, 2897.3 kPa) 119 rows in,
// i.e. every 11.6 s; it clears 222 rows (4.4 s) later and, if nobody acknowledged it, the next
// loop's raise supersedes it (closed, a new id). So each test that acts on an alarm waits for a
// fresh raise and acts within its first seconds.
//
// Run: ANJIAN_BIN=/path/to/anjian npm test. Needs the TEP data (see tepDir() in harness.mjs):
// without it these tests are skipped, or fail when CI is set.
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  TEP_INTERVAL_MS, WAIT, api, apiLogin, docScreenshot, input, launchBrowser, login, newPage, screenshot, startServer, tepDir, tid, until,
} from './harness.mjs'

const TEP = tepDir()
const SKIP = TEP || process.env.CI
  ? false
  : 'no Tennessee Eastman data: set ANJIAN_TEP_DIR or put d00_te.dat and d06_te.dat in ../shared/data/tep next to the repository'
const SOURCE = 'TEP-R101-PT'
/** One loop of the feed (580 rows) plus slack: the longest wait for the next raise. */
const LOOP_MS = 580 * TEP_INTERVAL_MS
const NEXT_RAISE = LOOP_MS + 15_000

let server
let browser
const tokens = {}


/** Run body(page) in a fresh context; always save a screenshot named after the test and close the context. */
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
/** The highest alarm id that `who` can see (0 for none). */
const lastAlarmId = async (who = 'city') => Math.max(0, ...(await get(who, '/api/alarms?pageNum=1&pageSize=20')).rows.map((a) => a.id))
const alarmById = (id) => get('city', `/api/alarms/${id}`)

/** The next raise of the reactor-pressure alarm after alarm `afterId` (polls the API). */
function nextRaise(afterId) {
  return until(async () => {
    const { rows } = await get('city', `/api/alarms?active=true&source=${SOURCE}&pageNum=1&pageSize=20`)
    return rows.find((a) => a.id > afterId && a.source === SOURCE && a.state === 'unacknowledged')
  }, `a new ${SOURCE} alarm after #${afterId}`, NEXT_RAISE)
}

const alarmRow = (page, id) => tid(page, 'alarm-table').locator(`tr.el-table__row.alarm-id-${id}`)
const alarmRows = (page) => tid(page, 'alarm-table').locator('.el-table__body-wrapper tbody tr.el-table__row')
const visible = (page, id) => tid(page, id).locator('visible=true').first()

/** Open 实时报警 through the menu and wait until the live stream is connected. */
async function openAlarmPage(page, { phone = false } = {}) {
  if (phone) {
    await tid(page, 'sidebar-toggle').click()
    await tid(page, 'sidebar-drawer').locator('visible=true').first().waitFor()
  }
  const menu = tid(page, 'sidebar-menu').locator('visible=true').first()
  await menu.locator('[data-testid="menu-monitoring"] > .el-sub-menu__title').click()
  await menu.locator('[data-testid="menu-monitoring-alarm"]').click()
  await page.waitForURL(/\/monitoring\/alarm/)
  await tid(page, 'alarm-table').waitFor()
  await until(async () => (await tid(page, 'alarm-live').innerText()).includes('实时'), 'the alarm stream to connect')
}

/** Open the action dialog of an alarm row, fill it and submit; resolves when it is closed. */
async function act(page, id, kind, { comment = '', reason = null } = {}) {
  await tid(alarmRow(page, id), `alarm-row-${kind}`).click()
  const dialog = visible(page, 'alarm-action-dialog')
  await dialog.waitFor()
  assert.match(await dialog.innerText(), new RegExp(`#${id} `), 'the dialog names the alarm')
  if (reason) {
    await tid(dialog, 'close-reason').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: reason }).first().click()
  }
  if (comment) await input(dialog, 'action-comment').fill(comment)
  await tid(dialog, 'action-submit').click()
  await dialog.waitFor({ state: 'hidden' })
}

/** Wait until the element's text matches every pattern; returns the text. */
async function shows(el, ...patterns) {
  let text = ''
  try {
    return await until(async () => {
      text = await el.innerText()
      return patterns.every((p) => p.test(text)) && text
    }, `${patterns.join(', ')}`)
  } catch (e) {
    throw new Error(`${e.message}\ntext: ${JSON.stringify(text)}`)
  }
}

const stateOf = async (row) => (await row.locator('.el-tag').allInnerTexts()).join(' ')

describe('monitoring and alarms (live TEP feed)', { skip: SKIP }, () => {
  before(async () => {
    if (!TEP) throw new Error('CI is set but there is no Tennessee Eastman data (ANJIAN_TEP_DIR or ../shared/data/tep)')
    server = await startServer({ tep: TEP })
    browser = await launchBrowser()
    for (const who of ['city', 'plant', 'housing']) tokens[who] = await apiLogin(server.baseUrl, who)
  })

  after(async () => {
    await browser?.close().catch(() => undefined)
    await server?.stop()
  })

  test('city sees the reactor-pressure alarm arrive live and acknowledges it', async (t) => {
    await withPage(t, async (page) => {
      await login(page, 'city')
      await openAlarmPage(page)
      // From here on the page is not reloaded: the alarm must come through the SSE stream.
      await page.evaluate(() => { window.__noReload = true })
      const a = await nextRaise(await lastAlarmId())
      const row = alarmRow(page, a.id)
      await row.waitFor()
      assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded')
      // Name, enterprise and unit: the stream's message lacks them, the page completes the row.
      await shows(row, /反应器压力/, new RegExp(SOURCE), /栖霞紫金新材料化工有限公司/, /2897\.3 kPa/, /未确认/)
      assert.match(await row.innerText(), /新报警/, 'flagged as new: it came from the stream')
      assert.equal(await row.locator('.priority-tag').first().getAttribute('data-priority'), 'high')
      assert.match(await row.locator('.priority-tag').first().innerText(), /高/)

      // Acknowledge at once, while the condition is still active (it clears 4.4 s after the raise).
      await act(page, a.id, 'ack', { comment: '已通知现场核查反应器压力' })
      await until(async () => (await stateOf(row)).includes('已确认'), 'the row to show 已确认', 3_000)
      const acked = await alarmById(a.id)
      assert.equal(acked.ackedBy, 'city')
      assert.equal(acked.ackComment, '已通知现场核查反应器压力')

      // Detail drawer of the acknowledged alarm: raised (with its value) and acknowledged by city.
      await page.goto(`/monitoring/alarm?id=${a.id}`)
      const drawer = visible(page, 'alarm-drawer')
      await drawer.waitFor()
      await until(async () => (await drawer.innerText()).includes(`#${a.id}`), 'the drawer title')
      const events = tid(drawer, 'alarm-events').locator('.el-timeline-item')
      await until(async () => (await events.count()) >= 2, 'the alarm history')
      const lines = await events.allInnerTexts()
      assert.ok(lines.some((l) => /报警/.test(l) && /2897\.3 kPa/.test(l)), `raised with its value in ${JSON.stringify(lines)}`)
      assert.ok(lines.some((l) => /确认/.test(l) && /操作人 city/.test(l) && /已通知现场核查反应器压力/.test(l)),
        `acknowledged by city in ${JSON.stringify(lines)}`)
    })
  })

  test('the bell counts a new alarm; city shelves it, then closes it with a reason: it moves to 历史报警', async (t) => {
    let id
    try {
      await withPage(t, async (page) => {
        await login(page, 'city')
        await openAlarmPage(page)
        const a = await nextRaise(await lastAlarmId())
        id = a.id
        const row = alarmRow(page, id)
        await row.waitFor()
        // The bell counts the unacknowledged alarm and lists it.
        const badge = tid(page, 'alarm-bell-badge').locator('.el-badge__content')
        await until(async () => Number(await badge.innerText()) >= 1, 'the bell badge to count the new alarm')
        await shows(row, /反应器压力/, /2897\.3 kPa/)
        await page.mouse.move(700, 800) // away from the menu
        await page.waitForTimeout(400) // the tags' zoom-in transition
        await docScreenshot(page, 'alarm')
        assert.ok((await get('city', '/api/alarms/summary')).unacknowledged >= 1)
        await tid(page, 'alarm-bell').click()
        const item = page.locator('[data-testid="alarm-bell-item"]:visible', { hasText: '反应器压力' }).first()
        await item.waitFor()
        assert.match(await item.innerText(), /高[\s\S]*反应器压力[\s\S]*高报/)
        await tid(page, 'alarm-bell').click()
        await item.waitFor({ state: 'hidden' })

        await tid(row, 'alarm-row-shelve').click()
        const dialog = visible(page, 'alarm-action-dialog')
        await dialog.waitFor()
        // A shelve needs a comment.
        await tid(dialog, 'action-submit').click()
        await dialog.locator('.el-form-item__error', { hasText: '请填写说明' }).waitFor()
        await input(dialog, 'shelve-minutes').fill('60')
        await input(dialog, 'action-comment').fill('检修期间临时搁置')
        await tid(dialog, 'action-submit').click()
        await dialog.waitFor({ state: 'hidden' })
        await until(async () => (await stateOf(row)).includes('已搁置'), 'the row to show 已搁置')
        const shelved = await alarmById(id)
        assert.equal(shelved.state, 'shelved')
        assert.ok(Math.abs(shelved.shelvedUntil - Date.now() - 3_600_000) < 120_000, 'shelved for 60 minutes')

        // A close needs a reason.
        await tid(row, 'alarm-row-close').click()
        await dialog.waitFor()
        await tid(dialog, 'action-submit').click()
        await dialog.locator('.el-form-item__error', { hasText: '请选择关闭原因' }).waitFor()
        await dialog.waitFor()
        await tid(dialog, 'close-reason').click()
        await page.locator('.el-select-dropdown__item:visible', { hasText: '误报' }).first().click()
        await input(dialog, 'action-comment').fill('压力变送器标定')
        await tid(dialog, 'action-submit').click()
        await dialog.waitFor({ state: 'hidden' })
        await row.waitFor({ state: 'detached' })

        const closed = await alarmById(id)
        assert.equal(closed.state, 'normal')
        assert.equal(closed.closedBy, 'city')
        assert.ok(closed.endedAt, 'ended')

        await tid(page, 'alarm-tabs').locator('.el-tabs__item', { hasText: '历史报警' }).click()
        const hist = alarmRow(page, id)
        await hist.waitFor()
        const text = await hist.innerText()
        assert.match(text, /正常/)
        assert.match(text, /city/)
        assert.match(text, /误报：压力变送器标定/, 'the close reason in the history list')

        await tid(hist, 'alarm-row-detail').click()
        const drawer = visible(page, 'alarm-drawer')
        await until(async () => (await drawer.innerText()).includes(`#${id}`), 'the drawer of the closed alarm')
        const d = await drawer.innerText()
        assert.match(d, /关闭原因\s*误报：压力变送器标定/)
        const lines = await tid(drawer, 'alarm-events').locator('.el-timeline-item').allInnerTexts()
        assert.ok(lines.some((l) => /搁置/.test(l) && /操作人 city/.test(l) && /检修期间临时搁置/.test(l)), JSON.stringify(lines))
        assert.ok(lines.some((l) => /关闭/.test(l) && /操作人 city/.test(l) && /误报/.test(l)), JSON.stringify(lines))
      })
    } finally {
      // A shelved alarm holds back every raise of its source: never leave one behind.
      if (id) {
        const a = await alarmById(id).catch(() => null)
        if (a && !a.endedAt) await api(server.baseUrl, tokens.city, 'POST', `/api/alarms/${id}/close`, { reason: 'other', comment: 'test cleanup' })
      }
    }
  })

  test('监测点 lists the TEP sensors with their latest values; the trend shows the limit lines', async (t) => {
    await withPage(t, async (page) => {
      await login(page, 'city')
      await page.goto('/monitoring/sensor')
      const table = tid(page, 'sensor-table')
      const rows = table.locator('.el-table__body-wrapper tbody tr.el-table__row')
      await rows.first().waitFor()
      const codeField = tid(page, 'sensor-search').locator('.el-form-item').filter({ hasText: /^监测点编码/ }).locator('input')
      await codeField.fill('TEP-')
      await codeField.press('Enter')
      await until(async () => {
        const texts = await rows.allInnerTexts()
        return texts.length === 9 && texts.every((x) => x.includes('TEP-'))
      }, 'the 9 TEP sensors')
      // The code column comes after the selection column.
      const byCode = (code) => rows.filter({ has: page.locator('td:nth-child(2) .cell', { hasText: new RegExp(`^${code}$`) }) })
      const pt = byCode(SOURCE)
      const ptText = await pt.innerText()
      assert.match(ptText, /反应器压力/)
      assert.match(ptText, /\d+(\.\d+)? kPa/, 'the latest reactor pressure')
      assert.match(ptText, /TEP-DTU-01 · 在线/)
      for (const [code, unit] of [['TEP-R101-TT', '°C'], ['TEP-R101-LT', '%']]) {
        assert.match(await byCode(code).innerText(), new RegExp(`\\d+(\\.\\d+)? ${unit}`), code)
      }
      const sensor = (await get('city', `/api/sensors?code=${SOURCE}`)).rows.find((s) => s.code === SOURCE)
      assert.ok(sensor.latest, 'the API has a latest value too')

      await tid(pt, 'row-trend').click()
      await page.waitForURL(new RegExp(`/monitoring/trend/${sensor.id}$`))
      const chart = tid(page, 'trend-chart')
      await chart.locator('canvas').first().waitFor()
      const limits = tid(page, 'trend-limits')
      await until(async () => /2895/.test(await limits.innerText()) && /3000/.test(await limits.innerText()), 'the limits above the chart')
      assert.match(await limits.innerText(), /高报\s*2895 kPa/)
      assert.match(await limits.innerText(), /高高报\s*3000 kPa/)
      // The chart's own option: a raw series with points and the two limit lines.
      const opt = await until(async () => {
        const o = await chart.evaluate((el) => el.__chartOption?.())
        return o?.series?.[0]?.data?.length > 0 && o
      }, 'the chart to get its points')
      const marks = opt.series.flatMap((s) => s.markLine?.data ?? []).map((m) => m.yAxis)
      assert.deepEqual([...marks].sort((x, y) => x - y), [2895, 3000])
      assert.ok(opt.yAxis[0].max >= 3000, 'the y axis shows the high-high limit')
      // Zoom (mouse wheel, as a user would) into the last minutes: the server started just now.
      const box = await chart.boundingBox()
      await page.mouse.move(box.x + box.width - 25, box.y + box.height / 2) // the right end of the grid
      for (let i = 0; i < 40; i++) await page.mouse.wheel(0, -400)
      await page.mouse.move(box.x + box.width / 2, box.y + box.height + 60) // no tooltip in the picture
      await page.waitForTimeout(300)
      await docScreenshot(page, 'trend')
    })
  })

  test('设备管理: TEP-DTU-01 is online; a new device gets an MQTT password', async (t) => {
    await withPage(t, async (page) => {
      await login(page, 'city')
      await page.goto('/monitoring/device')
      const rows = tid(page, 'device-table').locator('.el-table__body-wrapper tbody tr.el-table__row')
      const dtu = rows.filter({ hasText: 'TEP-DTU-01' })
      await dtu.waitFor()
      assert.match(await dtu.innerText(), /在线/)
      assert.match(await dtu.innerText(), /网关/)

      const code = `BT-DTU-${Date.now() % 100000}`
      await tid(page, 'btn-add').click()
      const dialog = visible(page, 'device-dialog')
      await dialog.waitFor()
      const field = (label) => dialog.locator('.el-form-item').filter({ has: page.locator('.el-form-item__label', { hasText: new RegExp(`^${label}$`) }) })
      await field('设备编码').locator('input').fill(code)
      await field('设备名称').locator('input').fill('浏览器测试网关')
      await field('所属企业').locator('.el-select').click()
      await page.keyboard.type('玄武钟山')
      await page.locator('.el-select-dropdown__item:visible', { hasText: '玄武钟山精细化学有限公司' }).first().click()
      await tid(dialog, 'crud-submit').click()
      await dialog.waitFor({ state: 'hidden' })

      const created = (await get('city', `/api/devices?code=${code}`)).rows.find((d) => d.code === code)
      assert.ok(created, 'the device was stored')
      assert.equal(created.hasPassword, false)
      const row = rows.filter({ hasText: code })
      await row.waitFor()
      assert.match(await row.innerText(), /离线/, 'a new device has not reported yet')

      await tid(row, 'row-secret').click()
      const confirm = page.locator('.el-message-box:visible')
      await confirm.waitFor()
      await confirm.locator('.el-button--primary').click()
      const secret = visible(page, 'secret-dialog')
      await secret.waitFor()
      await until(async () => (await input(secret, 'secret-password').inputValue()).length >= 12, 'the generated password')
      assert.equal(await input(secret, 'secret-username').inputValue(), code)
      const password = await input(secret, 'secret-password').inputValue()
      assert.doesNotMatch(password, /\s/)
      assert.equal((await get('city', `/api/devices/${created.id}`)).hasPassword, true)
    })
  })

  test('报警指标 counts the raises and lists TEP-R101-PT in the top 10', async (t) => {
    await withPage(t, async (page) => {
      // The last hour through the API (the server started a minute ago: everything is in it) ...
      const to = Date.now()
      const kpi = await get('city', `/api/alarms/kpi?from=${to - 3_600_000}&to=${to}`)
      assert.ok(kpi.totalRaises >= 1, JSON.stringify(kpi))
      assert.equal(kpi.top10[0]?.source, SOURCE)
      // ... and on the page, whose shortest preset is 24 hours.
      await login(page, 'city')
      await page.goto('/monitoring/kpi')
      await tid(page, 'kpi-page').waitFor()
      await page.locator('.el-radio-button', { hasText: '24小时' }).click()
      await page.locator('.el-radio-button.is-active', { hasText: '24小时' }).waitFor()
      const total = tid(page, 'kpi-total').locator('.el-statistic__content')
      await until(async () => Number((await total.innerText()).replace(/\D/g, '')) >= kpi.totalRaises, `报警总数 >= ${kpi.totalRaises}`)
      const top = tid(page, 'kpi-top10').locator('.el-table__body-wrapper tbody tr.el-table__row').first()
      await top.waitFor()
      assert.match(await top.innerText(), new RegExp(`${SOURCE}[\\s\\S]*高`))
      await tid(page, 'kpi-chart').locator('canvas').first().waitFor()
      await page.waitForTimeout(1_200) // the bars' grow animation
      await screenshot(page, 'kpi')
    })
  })

  test('the enterprise dossier shows the reactor unit under 监测设备 and its alarms under 报警', async (t) => {
    await withPage(t, async (page) => {
      const sensor = (await get('city', `/api/sensors?code=${SOURCE}`)).rows.find((s) => s.code === SOURCE)
      await login(page, 'city')
      await page.goto(`/enterprise/dossier/${sensor.enterpriseId}`)
      await shows(tid(page, 'dossier-name'), new RegExp(sensor.enterpriseName))
      const tabs = tid(page, 'dossier-tabs')
      await tabs.locator('.el-tabs__item', { hasText: /^监测设备$/ }).click()
      const sensors = tid(page, 'dossier-sensors')
      await shows(sensors, /TEP-DTU-01 .*· 在线/, /TEP-R101-PT/, /反应器压力/, /高报 2895，高高报 3000/, /\d+(\.\d+)? kPa/)
      assert.equal(await sensors.locator('.el-table__body-wrapper tbody tr.el-table__row').count(), 9)

      await tabs.locator('.el-tabs__item', { hasText: /^报警$/ }).click()
      const list = tid(page, 'alarm-page').locator('visible=true').first()
      await list.waitFor()
      // Active or already ended: the enterprise's reactor-pressure alarms are in one of the two tabs.
      const rows = tid(list, 'alarm-table').locator('.el-table__body-wrapper tbody tr.el-table__row')
      const open = (await get('city', `/api/alarms?active=true&enterpriseId=${sensor.enterpriseId}&pageNum=1&pageSize=20`)).total
      if (!open) await tid(list, 'alarm-tabs').locator('.el-tabs__item', { hasText: '历史报警' }).click()
      await shows(rows.first(), /反应器压力/, /高报/)
      assert.equal(await tid(list, 'alarm-table').locator('th', { hasText: '所属企业' }).count(), 0, 'no enterprise column in the dossier')
    })
  })

  test('the reactor plant\'s safety manager (plant) acknowledges its alarm on a phone; housing does not see it', async (t) => {
    await withPage(t, async (page) => {
      await login(page, 'plant')
      await openAlarmPage(page, { phone: true })
      const a = await nextRaise(await lastAlarmId('plant'))
      const row = alarmRow(page, a.id)
      await row.waitFor()
      await shows(row, /反应器压力/, /2897\.3 kPa/)
      await act(page, a.id, 'ack', { comment: '班组长已到现场' })
      await until(async () => (await stateOf(row)).includes('已确认'), 'the row to show 已确认', 3_000)
      assert.equal((await alarmById(a.id)).ackedBy, 'plant')
      const width = await page.evaluate(() => document.documentElement.scrollWidth)
      assert.ok(width <= 375, `the page does not scroll sideways (scrollWidth ${width})`)
      await screenshot(page, 'alarm-phone')
    }, { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })

    await withPage(t, async (page) => {
      const theirs = await get('housing', `/api/alarms?source=${SOURCE}&pageNum=1&pageSize=20`)
      assert.equal(theirs.total, 0, 'housing gets none of the enterprise alarms from the API')
      assert.ok((await get('city', `/api/alarms?source=${SOURCE}&pageNum=1&pageSize=1`)).total >= 1)
      await login(page, 'housing')
      await page.goto('/monitoring/alarm')
      const table = tid(page, 'alarm-table')
      await table.waitFor()
      await until(async () => (await table.locator('.el-table__empty-text').count()) === 1, 'the empty list')
      await tid(page, 'alarm-tabs').locator('.el-tabs__item', { hasText: '历史报警' }).click()
      await table.locator('.el-table__empty-text').waitFor()
      // Wait for a raise and make sure the stream does not bring it either.
      await nextRaise(await lastAlarmId('city'))
      await page.waitForTimeout(1_000)
      assert.equal(await alarmRows(page).count(), 0)
      assert.equal(await tid(page, 'alarm-bell-badge').locator('.el-badge__content:visible').count(), 0, 'no count on the bell')
    })
  })
})
