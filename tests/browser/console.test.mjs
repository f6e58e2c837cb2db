// Browser tests of the anjian console. Run: ANJIAN_BIN=/path/to/anjian npm test
import { after, before, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import ExcelJS from 'exceljs'
import {
  WAIT, api, apiBuffer, apiLogin, breakUscc, input, launchBrowser, login, newPage, screenshot, startServer, tid,
  uniqueUscc, until, usccCheckChar,
} from './harness.mjs'

let server
let browser
let cityToken


/** Run body(page) in a fresh context; always save a screenshot named after the test and close the context. */
async function withPage(t, body, options) {
  const { context, page } = await newPage(browser, server.baseUrl, options)
  try {
    await body(page, context)
  } finally {
    await screenshot(page, t.name).catch((e) => console.error('screenshot failed:', e))
    await context.close()
  }
}

const tableRows = (page) => tid(page, 'enterprise-table').locator('.el-table__body-wrapper tbody tr.el-table__row')
const visibleDialog = (page, id) => tid(page, id).locator('visible=true').first()

/** Open the enterprise list and wait until the first page of rows is shown. */
async function openList(page) {
  await page.goto('/enterprise/list')
  await tid(page, 'enterprise-table').waitFor()
  await tableRows(page).first().waitFor()
}

/** Pick an option of an Element Plus el-select carrying data-testid=id. */
async function pickOption(page, id, label) {
  await tid(page, id).click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: label }).first().click()
}

/**
 * Pick a node of the region tree-select. el-tree-select copies data-testid onto both its
 * .el-select wrapper and the .el-tree in its popper, so tell them apart by class.
 */
async function pickRegion(page, id, name) {
  await page.locator(`.el-select[data-testid="${id}"]`).click()
  const tree = page.locator(`.el-tree[data-testid="${id}"]`)
  await tree.waitFor()
  await tree.locator('.el-tree-node__content').filter({ hasText: new RegExp(`^\\s*${name}\\s*$`) }).first().click()
}

/** Search the list by name and wait until the table shows exactly `n` rows all containing the name. */
async function searchByName(page, name, n = 1) {
  await input(page, 'search-name').fill(name)
  await tid(page, 'search-submit').click()
  await until(async () => {
    const c = await tableRows(page).count()
    if (c !== n) return false
    const texts = await tableRows(page).allInnerTexts()
    return texts.every((x) => x.includes(name))
  }, `${n} row(s) named ${name}`)
}

/** The error text shown under the form item holding the field data-testid=id. */
const fieldError = (scope, id) => scope.locator(`.el-form-item:has([data-testid="${id}"]) .el-form-item__error`)

before(async () => {
  server = await startServer()
  browser = await launchBrowser()
  cityToken = await apiLogin(server.baseUrl, 'city')
})

after(async () => {
  await browser?.close().catch(() => undefined)
  await server?.stop()
})

describe('anjian console', () => {
  test('GB 32100 check character helper', () => {
    // Sample row of the import template.
    assert.equal(usccCheckChar('91110000600037341'), 'L')
  })

  test('city logs in and lands on the home page', async (t) => {
    await withPage(t, async (page) => {
      await login(page, 'city')
      await tid(page, 'home').waitFor()
      const stat = tid(page, 'stat-total')
      await stat.waitFor()
      const { body } = await api(server.baseUrl, cityToken, 'GET', '/api/enterprises?pageNum=1&pageSize=1')
      assert.ok(body.total >= 200, `city sees all demo enterprises, got ${body.total}`)
      await until(async () => (await stat.innerText()).replace(/[,\s]/g, '').includes(String(body.total)), `stat-total = ${body.total}`)
      const menu = tid(page, 'sidebar-menu').locator('visible=true').first()
      await menu.waitFor()
      assert.match(await menu.innerText(), /企业/)
      await tid(page, 'sidebar-toggle').waitFor()
    })
  })

  test('enterprise form rejects a bad credit code', async (t) => {
    await withPage(t, async (page) => {
      await login(page, 'city')
      await openList(page)
      await tid(page, 'toolbar').waitFor()
      await tid(page, 'search-form').waitFor()
      await tid(page, 'pagination').waitFor()
      await tid(page, 'btn-add').click()
      const dialog = visibleDialog(page, 'enterprise-dialog')
      await dialog.waitFor()
      const uscc = input(dialog, 'ent-uscc')
      await uscc.fill('91110000600037341N')
      await uscc.press('Tab')
      const err = fieldError(dialog, 'ent-uscc')
      await err.waitFor()
      assert.match(await err.innerText(), /L/, 'the error names the expected check character')
      assert.equal(await tid(dialog, 'ent-uscc-ok').count(), 0)

      await uscc.fill(uniqueUscc())
      await uscc.press('Tab')
      await tid(dialog, 'ent-uscc-ok').waitFor()
      await err.waitFor({ state: 'detached' })
    })
  })

  test('city creates, finds and edits an enterprise', async (t) => {
    await withPage(t, async (page) => {
      const code = uniqueUscc()
      const name = `浏览器测试化工有限公司${code.slice(8, 14)}`
      await login(page, 'city')
      await openList(page)
      await tid(page, 'btn-add').click()
      const dialog = visibleDialog(page, 'enterprise-dialog')
      await dialog.waitFor()
      await input(dialog, 'ent-name').fill(name)
      await input(dialog, 'ent-uscc').fill(code)
      await tid(dialog, 'ent-uscc-ok').waitFor()
      await input(dialog, 'ent-address').fill('南京市玄武区测试路1号')
      await input(dialog, 'ent-industry').fill('C2614')
      await pickOption(page, 'ent-category', '危险化学品')
      await pickOption(page, 'ent-scale', '小型')
      await input(dialog, 'ent-employees').fill('42')
      await input(dialog, 'ent-principal').fill('张测试')
      await pickRegion(page, 'ent-region', '玄武区')
      await tid(dialog, 'ent-submit').click()
      await dialog.waitFor({ state: 'hidden' })

      const { body } = await api(server.baseUrl, cityToken, 'GET', `/api/enterprises?uscc=${code}`)
      assert.equal(body.total, 1, 'the enterprise was stored')
      assert.equal(body.rows[0].name, name)
      assert.equal(body.rows[0].employeeCount, 42)

      await searchByName(page, name)
      const row = tableRows(page).first()
      assert.match(await row.innerText(), new RegExp(code))
      assert.match(await row.innerText(), /玄武区/)

      await tid(row, 'row-edit').click()
      await dialog.waitFor()
      await until(async () => (await input(dialog, 'ent-name').inputValue()) === name, 'the dialog to load the enterprise')
      await input(dialog, 'ent-principal').fill('李改名')
      await tid(dialog, 'ent-submit').click()
      await dialog.waitFor({ state: 'hidden' })
      await until(async () => (await tableRows(page).first().innerText()).includes('李改名'), 'the edited principal in the table')
    })
  })

  test('city imports an xlsx and sees the bad row', async (t) => {
    await withPage(t, async (page) => {
      // Header row of the server's own template.
      const tpl = new ExcelJS.Workbook()
      await tpl.xlsx.load(await apiBuffer(server.baseUrl, cityToken, '/api/enterprises/import-template'))
      const headers = tpl.worksheets[0].getRow(1).values.slice(1).map(String)
      assert.ok(headers.includes('统一社会信用代码*'), `template headers: ${headers}`)
      const good = uniqueUscc()
      const bad = breakUscc(uniqueUscc())
      const rowOf = (name, uscc) => {
        const v = {
          '企业名称*': name, '统一社会信用代码*': uscc, '地址*': '南京市玄武区导入路8号', '行业代码*': 'C2614',
          '监管分类*': '危险化学品', '企业规模*': '小型', '从业人数*': 15, '主要负责人*': '赵导入', '所属区域编码*': '320102',
        }
        return headers.map((h) => v[h] ?? null)
      }
      const wb = new ExcelJS.Workbook()
      const ws = wb.addWorksheet('企业')
      ws.addRow(headers)
      ws.addRow(rowOf(`导入测试良好企业${good.slice(8, 14)}`, good)) // sheet row 2
      ws.addRow(rowOf(`导入测试错误企业${bad.slice(8, 14)}`, bad)) // sheet row 3
      const buffer = Buffer.from(await wb.xlsx.writeBuffer())

      await login(page, 'city')
      await openList(page)
      await tid(page, 'btn-import').click()
      const dialog = visibleDialog(page, 'import-dialog')
      await dialog.waitFor()
      await dialog.locator('input[type=file]').setInputFiles({
        name: 'import.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer,
      })
      await tid(dialog, 'import-submit').click()
      const errors = tid(dialog, 'import-errors')
      await errors.waitFor()
      const errRows = errors.locator('.el-table__body-wrapper tbody tr')
      await until(async () => (await errRows.count()) === 1, 'one import error row')
      const cells = (await errRows.first().locator('td').allInnerTexts()).map((s) => s.trim())
      assert.equal(cells[0], '3', `row number of the bad row: ${cells}`)
      assert.equal(cells[1], '统一社会信用代码')
      assert.match(cells[2], /check|校验/)
      await tid(dialog, 'import-summary').waitFor()
      let found = await api(server.baseUrl, cityToken, 'GET', `/api/enterprises?uscc=${good}`)
      assert.equal(found.body.total, 0, 'nothing imported while a row is bad')

      // Import the valid rows only.
      await tid(dialog, 'import-valid').click()
      await tid(dialog, 'import-submit').click()
      await until(async () => /已导入\s*1\s*行/.test(await tid(dialog, 'import-summary').innerText()), 'the summary "已导入 1 行"')
      found = await api(server.baseUrl, cityToken, 'GET', `/api/enterprises?uscc=${good}`)
      assert.equal(found.body.total, 1, 'the good row was imported')
      const badFound = await api(server.baseUrl, cityToken, 'GET', `/api/enterprises?uscc=${bad}`)
      assert.equal(badFound.body.total, 0, 'the bad row was not imported')
    })
  })

  for (const format of ['xlsx', 'csv']) {
    test(`city exports the list as ${format}`, async (t) => {
      await withPage(t, async (page) => {
        await login(page, 'city')
        await openList(page)
        await tid(page, 'btn-export').click()
        const item = tid(page, `btn-export-${format}`)
        await item.waitFor()
        const [download] = await Promise.all([page.waitForEvent('download', { timeout: WAIT }), item.click()])
        assert.ok(download.suggestedFilename().endsWith(`.${format}`), download.suggestedFilename())
        const data = await readFile(await download.path())
        if (format === 'xlsx') {
          assert.equal(data.subarray(0, 2).toString('latin1'), 'PK')
          const wb = new ExcelJS.Workbook()
          await wb.xlsx.load(data)
          assert.ok(wb.worksheets[0].rowCount > 200, `rows: ${wb.worksheets[0].rowCount}`)
        } else {
          assert.deepEqual([...data.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM')
          const lines = data.toString('utf8').split(/\r?\n/).filter(Boolean)
          assert.ok(lines.length > 200, `lines: ${lines.length}`)
          assert.match(lines[0], /统一社会信用代码/)
        }
      })
    })
  }

  test('housing (read-only) sees no add button and cannot write', async (t) => {
    await withPage(t, async (page) => {
      await login(page, 'housing')
      await openList(page)
      await tid(page, 'toolbar').waitFor()
      assert.equal(await tid(page, 'btn-add').count(), 0, 'btn-add absent')
      assert.equal(await tid(page, 'btn-import').count(), 0, 'btn-import absent')
      assert.equal(await tid(page, 'row-edit').count(), 0, 'row-edit absent')
      assert.equal(await tid(page, 'row-remove').count(), 0, 'row-remove absent')

      const token = await apiLogin(server.baseUrl, 'housing')
      const res = await api(server.baseUrl, token, 'POST', '/api/enterprises', {
        name: '只读角色不应写入有限公司', uscc: uniqueUscc(), address: '南京市玄武区只读路1号', industryCode: 'C2614',
        supervisionCategory: 'hazardous_chemicals', scale: 'small', employeeCount: 1, principalName: '只读', regionId: 1,
      })
      assert.equal(res.status, 403, JSON.stringify(res.body))
    })
  })

  test('enterprise user sees only its own enterprise', async (t) => {
    await withPage(t, async (page) => {
      await login(page, 'enterprise')
      await openList(page)
      await until(async () => (await tableRows(page).count()) === 1, 'exactly one row')
      assert.match(await tid(page, 'pagination').innerText(), /1/)

      const token = await apiLogin(server.baseUrl, 'enterprise')
      const own = (await api(server.baseUrl, token, 'GET', '/api/enterprises?pageNum=1&pageSize=10')).body
      assert.equal(own.total, 1)
      const all = (await api(server.baseUrl, cityToken, 'GET', '/api/enterprises?pageNum=1&pageSize=10')).body
      const other = all.rows.find((r) => r.id !== own.rows[0].id)
      assert.ok(other)

      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url().includes(`/api/enterprises/${other.id}/dossier`), { timeout: WAIT }),
        page.goto(`/enterprise/dossier/${other.id}`),
      ])
      assert.equal(res.status(), 404)
      await tid(page, 'dossier').waitFor()
      await tid(page, 'dossier').locator('.el-alert--error').waitFor()
      assert.equal(await tid(page, 'dossier-name').count(), 0, 'no dossier data shown')
      assert.ok(!(await page.content()).includes(other.name), 'the other enterprise name is not shown')
    })
  })

  test('phone layout renders the enterprise list with a drawer sidebar', async (t) => {
    await withPage(t, async (page) => {
      await login(page, 'city')
      await openList(page)
      assert.ok(await tableRows(page).first().isVisible(), 'rows visible')
      await tid(page, 'pagination').waitFor()
      assert.equal(await page.locator('aside.sidebar').count(), 0, 'no fixed sidebar on a phone')
      assert.equal(await tid(page, 'sidebar-menu').locator('visible=true').count(), 0, 'menu hidden')
      const width = await page.evaluate(() => document.documentElement.scrollWidth)
      assert.ok(width <= 390 + 1, `no horizontal page scroll (scrollWidth ${width})`)

      const drawer = tid(page, 'sidebar-drawer').locator('visible=true').first()
      assert.equal(await tid(page, 'sidebar-drawer').locator('visible=true').count(), 0, 'drawer closed at first')
      await tid(page, 'sidebar-toggle').click()
      await drawer.waitFor()
      const menu = drawer.locator('[data-testid="sidebar-menu"]')
      await menu.waitFor()
      await screenshot(page, `${t.name} (drawer open)`)
      // Navigating from the drawer closes it.
      await tid(page, 'menu-enterprise-list').locator('visible=true').first().click()
      await menu.waitFor({ state: 'hidden' })
      await until(async () => (await tid(page, 'sidebar-drawer').locator('visible=true').count()) === 0, 'the drawer to close')
    }, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 })
  })

  test('every system and monitor page renders for the city administrator', async (t) => {
    await withPage(t, async (page) => {
      await login(page, 'city')
      await tid(page, 'home').waitFor()
      const pages = ['/system/user', '/system/role', '/system/region', '/system/department', '/system/menu',
        '/system/dict', '/system/param', '/monitor/online', '/monitor/operlog', '/monitor/logininfor']
      for (const url of pages) {
        await page.goto(url)
        const table = page.locator('.el-table:visible').first()
        await table.waitFor()
        // Either data rows or the table's explicit empty state: the page loaded its list.
        await until(async () => (await table.locator('tr.el-table__row').count()) > 0
          || (await table.locator('.el-table__empty-text:visible').count()) > 0, `the list on ${url}`)
        assert.equal(await page.locator('text=待后续模块接入').count(), 0, `${url} is a real page, not a placeholder`)
        assert.deepEqual(page.consoleErrors, [], `no script errors on ${url}`)
      }
      // The users page lists the demo accounts and offers 新增 to an administrator.
      await page.goto('/system/user')
      await until(async () => (await page.locator('tr.el-table__row', { hasText: 'xuanwu' }).count()) > 0, 'the xuanwu account')
      assert.ok(await tid(page, 'btn-add').locator('visible=true').count() > 0, '新增 shown with system:user:add')
    })
  })
})
