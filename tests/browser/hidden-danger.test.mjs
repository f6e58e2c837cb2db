// Browser tests of hidden-danger remediation (隐患治理) on the demo data:
// - on the phone layout (390×844) the worker reports a hidden danger with a photo (随手拍); the
//   enterprise safety manager confirms it and assigns it to `repair`; `repair` starts and submits
//   evidence; the manager (not the remediator) verifies and closes it; the statistics page counts it.
// - the demo's overdue major hidden danger is on the city user's 逾期隐患 list, escalated to the
//   bureau, and can be put under listed supervision from the console.
//
// Run: ANJIAN_BIN=/path/to/anjian node --test hidden-danger.test.mjs (build web/dist first).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { api, apiLogin, input, launchBrowser, login, newPage, screenshot, startServer, tid } from './harness.mjs'

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }
/** A 1×1 PNG. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000a49444154789c63f8cfc000000301010018dd8db00000000049454e44ae426082',
  'hex',
)

let server
let browser
const tokens = {}

before(async () => {
  server = await startServer()
  browser = await launchBrowser()
  for (const u of ['city', 'enterprise', 'worker', 'repair']) tokens[u] = await apiLogin(server.baseUrl, u)
})
after(async () => {
  await browser?.close()
  await server?.stop()
})

async function withPage(t, options, body) {
  const { context, page } = await newPage(browser, server.baseUrl, options)
  try {
    await body(page)
    assert.deepEqual(page.consoleErrors, [], 'no uncaught errors in the page')
  } finally {
    await screenshot(page, t.name).catch((e) => console.error('screenshot failed:', e))
    await context.close()
  }
}

/** The number shown in a statistics card. */
async function statNumber(page, id) {
  await tid(page, id).waitFor()
  return Number((await tid(page, id).innerText()).trim())
}

async function statusOf(page) {
  return tid(page, 'hd-status').getAttribute('data-status')
}

/** Click a workflow button on the detail page, optionally fill the dialog, confirm, wait for the new status. */
async function act(page, action, status, fill) {
  await tid(page, `hd-action-${action}`).click()
  const dialog = page.locator('.el-dialog:visible')
  await dialog.waitFor()
  if (fill) await fill(dialog)
  await tid(dialog, 'hd-dialog-ok').click()
  await page.waitForFunction(
    (s) => document.querySelector('[data-testid="hd-status"]')?.getAttribute('data-status') === s,
    status,
  )
  await dialog.waitFor({ state: 'hidden' })
}

describe('hidden dangers', () => {
  test('phone: a worker reports with a photo, the manager assigns, repair remediates, the manager closes, statistics count it', async (t) => {
    let id
    let before
    // The statistics before, as the safety manager sees them (on the phone too).
    await withPage(t, PHONE, async (page) => {
      await login(page, 'enterprise')
      await page.goto('/hidden-danger/stats')
      before = { total: await statNumber(page, 'hd-stat-total'), closed: await statNumber(page, 'hd-stat-closed') }
    })

    // 随手拍 by the worker.
    await withPage(t, PHONE, async (page) => {
      await login(page, 'worker')
      await page.goto('/hidden-danger/report')
      await tid(page, 'hd-report-photo').setInputFiles({ name: 'leak.png', mimeType: 'image/png', buffer: PNG })
      await tid(page, 'photo-thumb').first().waitFor()
      await input(page, 'hd-report-description').fill('二号泵出口法兰渗漏，地面有油迹')
      await input(page, 'hd-report-location').fill('合成车间二号泵')
      await tid(page, 'hd-report-submit').click()
      await tid(page, 'hd-report-done').waitFor()
      await tid(page, 'hd-report-open').click()
      await page.waitForURL(/\/hidden-danger\/detail\/\d+/)
      id = Number(new URL(page.url()).pathname.split('/').pop())
      assert.equal(await statusOf(page), 'reported')
      await tid(page, 'hd-thumbs').locator('img').first().waitFor()
      // A worker holds no confirm button.
      assert.equal(await tid(page, 'hd-action-confirm').count(), 0)
    })
    const rec = await api(server.baseUrl, tokens.worker, 'GET', `/api/hidden-dangers/${id}`)
    assert.equal(rec.body.photoIds.length, 1)
    assert.equal(rec.body.reporterName, '一线员工王强')

    // The safety manager confirms and assigns it to repair.
    await withPage(t, PHONE, async (page) => {
      await login(page, 'enterprise')
      await page.goto('/hidden-danger/record')
      await tid(page, `hd-row-${id}`).click()
      await page.waitForURL(`**/hidden-danger/detail/${id}`)
      await act(page, 'confirm', 'confirmed')
      await act(page, 'assign', 'assigned', async (dialog) => {
        await tid(dialog, 'hd-assign-remediator').click()
        await page.locator('[data-testid="hd-staff-repair"]:visible').click()
        await input(dialog, 'hd-assign-department').fill('设备维修班')
        await input(dialog, 'hd-assign-measures').fill('更换法兰垫片，紧固螺栓')
      })
      assert.equal(await tid(page, 'hd-remediator').innerText(), '维修班长李明')
    })

    // repair starts and submits evidence; he cannot verify his own work.
    await withPage(t, PHONE, async (page) => {
      await login(page, 'repair')
      await page.goto(`/hidden-danger/detail/${id}`)
      await act(page, 'start', 'in_remediation')
      await act(page, 'submit', 'submitted', async (dialog) => {
        await tid(dialog, 'hd-evidence-input').setInputFiles({ name: 'fixed.png', mimeType: 'image/png', buffer: PNG })
        await tid(dialog, 'photo-thumb').first().waitFor()
        await input(dialog, 'hd-dialog-text').fill('已更换垫片，试压无渗漏')
      })
      assert.equal(await tid(page, 'hd-action-verify').count(), 0)
    })
    const verifyByRepair = await api(server.baseUrl, tokens.repair, 'POST', `/api/hidden-dangers/${id}/verify`, {})
    assert.notEqual(verifyByRepair.status, 200)

    // The manager verifies and closes it.
    await withPage(t, PHONE, async (page) => {
      await login(page, 'enterprise')
      await page.goto(`/hidden-danger/detail/${id}`)
      await act(page, 'verify', 'closed', async (dialog) => {
        await input(dialog, 'hd-dialog-text').fill('现场复核合格')
      })
      const timeline = await tid(page, 'hd-timeline').innerText()
      for (const step of ['上报', '确认', '交办整改', '开始整改', '提交验收', '验收销号']) assert.ok(timeline.includes(step), step)

      // The statistics count it.
      await page.goto('/hidden-danger/stats')
      assert.equal(await statNumber(page, 'hd-stat-total'), before.total + 1)
      assert.equal(await statNumber(page, 'hd-stat-closed'), before.closed + 1)
      const width = await page.evaluate(() => document.documentElement.scrollWidth)
      assert.ok(width <= 400, `no horizontal scrolling at 390 px (${width})`)
    })
  })

  test('the demo overdue major hidden danger is on the city overdue list and can be put under listed supervision', async (t) => {
    // The city has other overdue records (demo_city.rs): find the demo enterprise's by its code.
    const me = await api(server.baseUrl, tokens.enterprise, 'GET', '/api/auth/me')
    const own = me.body.user.enterpriseId
    const listed = await api(server.baseUrl, tokens.city, 'GET', `/api/hidden-dangers?overdue=true&level=major&enterpriseId=${own}&pageSize=100`)
    const demo = listed.body.rows.find((r) => r.description.includes('可燃气体检测报警'))
    assert.ok(demo, `the demo enterprise's overdue major hidden danger: ${JSON.stringify(listed.body)}`)
    await withPage(t, {}, async (page) => {
      await login(page, 'city')
      await page.goto('/hidden-danger/overdue')
      await input(page, 'hd-filter-keyword').fill(demo.code)
      await tid(page, 'hd-search').click()
      const row = page.locator(`[data-testid="hd-table"] .el-table__row:has([data-testid="hd-row-${demo.id}"])`)
      await row.waitFor()
      assert.equal((await row.locator('[data-testid="hd-row-escalation"]').innerText()).trim(), '应急管理局')
      await row.locator('[data-testid^="hd-row-"]').first().click()
      await page.waitForURL(/\/hidden-danger\/detail\/\d+/)
      const id = Number(new URL(page.url()).pathname.split('/').pop())
      await tid(page, 'hd-overdue').waitFor()
      // The demo put it under the city's supervision already: lift that one, then list it anew from the console.
      await tid(page, 'hd-action-lift').click()
      let dialog = page.locator('.el-dialog:visible')
      await input(dialog, 'hd-dialog-text').fill('督办单位调整，重新挂牌')
      await tid(dialog, 'hd-dialog-ok').click()
      await tid(page, 'hd-action-supervise').waitFor()
      await tid(page, 'hd-action-supervise').click()
      dialog = page.locator('.el-dialog:visible')
      await input(dialog, 'hd-dialog-docno').fill('宁应急督〔2026〕9号')
      await input(dialog, 'hd-dialog-text').fill('限期十五日内完成整改，每周报告进展')
      await tid(dialog, 'hd-dialog-ok').click()
      await tid(page, 'hd-action-lift').waitFor()
      const sups = await api(server.baseUrl, tokens.city, 'GET', '/api/listed-supervisions?status=open')
      const mine = sups.body.rows.find((s) => s.hiddenDangerId === id)
      assert.ok(mine, 'an open listed supervision of the record')
      assert.equal(mine.documentNo, '宁应急督〔2026〕9号')
      await page.goto('/hidden-danger/supervision')
      await page.locator('[data-testid="hd-supervision-card"]', { hasText: '宁应急督〔2026〕9号' }).waitFor()
    })
  })
})

test('phone: the major criteria dropdown fits the screen; plan and checklist row actions are on screen', async (t) => {
  const made = await api(server.baseUrl, tokens.worker, 'POST', '/api/hidden-dangers', { description: '手机布局测试：消防通道堵塞', photoIds: [] })
  assert.equal(made.status, 201, JSON.stringify(made.body))
  await withPage(t, PHONE, async (page) => {
    await login(page, 'enterprise')
    await page.goto(`/hidden-danger/detail/${made.body.id}`)
    await tid(page, 'hd-action-confirm').click()
    const dlg = tid(page, 'hd-dialog')
    await dlg.locator('[data-testid="hd-confirm-level"] .el-radio', { hasText: '重大' }).click()
    await tid(dlg, 'hd-criteria-item').click()
    const dropdown = page.locator('.el-select__popper.wrap-select-popper:visible')
    await dropdown.locator('.el-select-dropdown__item').first().waitFor()
    const box = await dropdown.boundingBox()
    assert.ok(box.x >= 0 && box.x + box.width <= 390, `the dropdown fits the screen: ${JSON.stringify(box)}`)
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, 'the page does not get wider')
    await page.keyboard.press('Escape')

    for (const [path, ids] of [['/hidden-danger/plan', ['row-run']], ['/hidden-danger/checklist', ['row-view']]]) {
      await page.goto(path)
      for (const id of ids) {
        const b = page.locator(`[data-testid="${id}"]:visible`).first()
        await b.waitFor()
        const r = await b.boundingBox()
        assert.ok(r.x >= 0 && r.x + r.width <= 390, `${path}: ${id} is on screen (${JSON.stringify(r)})`)
      }
    }
  })
})
