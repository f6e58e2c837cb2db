// Browser test of hidden-danger inspection on the phone layout (390 x 844): the demo `worker`
// opens today's inspection task from 排查任务, ticks the items, fails one with a photo and a note,
// reports the failed item as a hidden danger (linked to the task and the item),
// submits, and the task shows completed (also through the API).
//
// Run: ANJIAN_BIN=/path/to/anjian node --test inspection.test.mjs (build the console first).
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { WAIT, api, apiLogin, input, launchBrowser, login, newPage, screenshot, startServer, tid } from './harness.mjs'

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }
/** A 1 x 1 PNG. */
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000a49444154789c63000100000500010d0a2db40000000049454e44ae426082', 'hex')

let server
let browser

describe('inspection on a phone', () => {
  before(async () => {
    server = await startServer()
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await server?.stop()
  })

  test('worker completes today\'s task with a failed item and a photo', async (t) => {
    const token = await apiLogin(server.baseUrl, 'worker')
    const pending = await api(server.baseUrl, token, 'GET', '/api/inspection-tasks?mine=true&status=pending')
    assert.equal(pending.status, 200)
    assert.ok(pending.body.total >= 1, 'the demo gives the worker a pending task')
    const task = pending.body.rows[0]
    const detail = await api(server.baseUrl, token, 'GET', `/api/inspection-tasks/${task.id}`)
    const n = detail.body.items.length
    assert.ok(n >= 5)
    // An item naming a major hidden-danger criterion (e.g. chemical-2017#12), other than item 1.
    const majorIdx = detail.body.items.findIndex((i, k) => k > 0 && /^[\w-]+#\d+$/.test(i.majorCriteriaRef ?? ''))
    const major = majorIdx > 0 ? detail.body.items[majorIdx] : null

    const dir = await mkdtemp(path.join(os.tmpdir(), 'anjian-insp-'))
    const photo = path.join(dir, 'crack.png')
    await writeFile(photo, PNG)

    const { context, page } = await newPage(browser, server.baseUrl, PHONE)
    try {
      await login(page, 'worker')
      await page.goto('/hidden-danger/task')
      const card = tid(page, `task-${task.id}`)
      await card.waitFor({ timeout: WAIT })
      await card.click()
      await page.waitForURL(`**/hidden-danger/task/${task.id}`)
      await tid(page, 'task-run').waitFor()
      assert.equal((await tid(page, 'task-status').innerText()).trim(), '待执行')

      // The location is at the top, reachable before an item is reported; reports carry it.
      await input(page, 'run-location').fill('1号罐区')
      // Item 1 fails, with a photo and a note; the others pass.
      const fillItems = async () => {
        await tid(page, 'run-item-1-fail').click()
        await page.locator('[data-testid="run-item-1-photo"] input').setInputFiles(photo)
        await page.locator('[data-testid="run-item-1"] .thumb img').waitFor()
        await input(page, 'run-item-1-note').fill('3号储罐防火堤有裂缝')
        for (let i = 2; i <= n; i++) await tid(page, `run-item-${i}-${major && i === major.seq ? 'fail' : 'pass'}`).click()
        if (major) await input(page, `run-item-${major.seq}-note`).fill('报警器被屏蔽')
      }
      await fillItems()

      // 上报隐患: the failed item becomes a hidden danger linked to the task and the item.
      await tid(page, 'run-item-1-report').click()
      await page.locator('[data-testid="reported-tag"][data-item-seq="1"]').waitFor({ timeout: WAIT })
      if (major) {
        // The item's criterion goes with the report as a proposed major grading.
        await tid(page, `run-item-${major.seq}-major`).waitFor()
        await tid(page, `run-item-${major.seq}-report`).click()
        await page.locator(`[data-testid="reported-tag"][data-item-seq="${major.seq}"]`).waitFor({ timeout: WAIT })
      }

      // A reload knows what was reported: the tags are back and 上报隐患 is not offered again.
      await page.reload()
      await tid(page, 'task-run').waitFor()
      await page.locator('[data-testid="reported-tag"][data-item-seq="1"]').waitFor({ timeout: WAIT })
      await input(page, 'run-location').fill('1号罐区')
      await fillItems()
      assert.equal(await tid(page, 'run-item-1-report').count(), 0, 'item 1 is not offered for reporting again')
      if (major) assert.equal(await tid(page, `run-item-${major.seq}-report`).count(), 0)

      await tid(page, 'run-submit').click()
      await page.waitForFunction(
        () => document.querySelector('[data-testid="task-status"]')?.textContent?.trim() === '已完成',
        null,
        { timeout: WAIT },
      )
      assert.equal(await tid(page, 'run-submit').count(), 0, 'no submit once completed')
      assert.deepEqual(page.consoleErrors, [], 'no uncaught errors in the page')
    } finally {
      await screenshot(page, t.name).catch((e) => console.error('screenshot failed:', e))
      await context.close()
    }

    const after = await api(server.baseUrl, token, 'GET', `/api/inspection-tasks/${task.id}`)
    assert.equal(after.body.status, 'completed')
    assert.equal(after.body.location, '1号罐区')
    assert.equal(after.body.items[0].result, 'fail')
    assert.equal(after.body.items[0].photoIds.length, 1)
    assert.equal(after.body.items[0].note, '3号储罐防火堤有裂缝')
    assert.ok(after.body.items.slice(1).every((i) => i.result === (major && i.itemId === major.itemId ? 'fail' : 'pass')))
    // The hidden danger reported from item 1 is linked to the task and the item, with the location.
    const linked = await api(server.baseUrl, token, 'GET', `/api/hidden-dangers?inspectionTaskId=${task.id}`)
    assert.equal(linked.body.total, major ? 2 : 1, 'one hidden danger per reported item, none twice')
    const first = linked.body.rows.find((r) => r.checklistItemId === after.body.items[0].itemId)
    assert.ok(first, 'item 1 has its hidden danger')
    assert.equal(first.source, 'inspection')
    assert.equal(first.location, '1号罐区')
    if (major) {
      const m = linked.body.rows.find((r) => r.checklistItemId === major.itemId)
      const [std, item] = major.majorCriteriaRef.split('#')
      assert.equal(m.level, 'major')
      assert.equal(m.criteriaStandard, std)
      assert.equal(m.criteriaItem, Number(item))
    }
    // The list shows it completed.
    const done = await api(server.baseUrl, token, 'GET', '/api/inspection-tasks?mine=true&status=completed&pageSize=50')
    assert.ok(done.body.rows.some((r) => r.id === task.id))
  })
})
