// Test harness of the anjian console browser tests.
//
// - startServer(): runs $ANJIAN_BIN on a free port of 127.0.0.1:18310-18330 with a fresh
//   SQLite database and the demo data, waits for "is listening on", stop() sends SIGTERM.
//   startServer({ tep: dir }) also turns on the demo's live Tennessee Eastman feed (see tepDir()).
// - launchBrowser(): Debian's Chromium through playwright-core.
// - newPage(): a fresh page; with $ANJIAN_WEB_DIST the console comes from that web/dist folder
//   (the binary embeds the web/dist it was built with), only /api from the server.
// - login(), api(), tid(), input(), screenshot(): helpers used by the tests.
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, statSync } from 'node:fs'
import { copyFile, mkdtemp, mkdir, readFile, rm } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

export const HERE = path.dirname(fileURLToPath(import.meta.url))
export const SCREENSHOTS = path.join(HERE, 'screenshots')
export const ADMIN_PASSWORD = 'Admin#2026x'
export const DEMO_PASSWORD = 'Demo@2026'
/** Bound for every single wait of the tests. */
export const WAIT = 15_000

const PORT_MIN = 18310
const PORT_MAX = 18330

function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer()
    srv.once('error', () => resolve(false))
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)))
  })
}

async function freePort() {
  // Start at a pid-dependent offset so that parallel runs rarely race for the same port.
  const span = PORT_MAX - PORT_MIN + 1
  const start = process.pid % span
  for (let i = 0; i < span; i++) {
    const port = PORT_MIN + ((start + i) % span)
    if (await portFree(port)) return port
  }
  throw new Error(`no free port in ${PORT_MIN}-${PORT_MAX}`)
}

/** Milliseconds between two rows of the TEP feed in the tests: the reactor-pressure alarm comes
 *  119 rows after the start of each 580-row loop, i.e. about 2.4 s after start and every 11.6 s. */
export const TEP_INTERVAL_MS = 20

/**
 * The Tennessee Eastman data folder for the live feed, or null when there is none:
 * $ANJIAN_TEP_DIR if set, else the repository root's ../shared/data/tep, else (in a git worktree)
 * the main checkout's ../shared/data/tep. The folder must hold d06_te.dat (fault 6) and d00_te.dat.
 */
export function tepDir() {
  const ok = (dir) => dir && existsSync(path.join(dir, 'd06_te.dat')) && existsSync(path.join(dir, 'd00_te.dat'))
  if (process.env.ANJIAN_TEP_DIR) return ok(process.env.ANJIAN_TEP_DIR) ? path.resolve(process.env.ANJIAN_TEP_DIR) : null
  const candidates = [path.resolve(HERE, '../../../shared/data/tep')]
  try {
    const common = execFileSync('git', ['rev-parse', '--path-format=absolute', '--git-common-dir'], { cwd: HERE, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    candidates.push(path.resolve(common, '../../shared/data/tep'))
  } catch { /* not a git checkout */ }
  return candidates.find(ok) ?? null
}

/**
 * Start the anjian server with the demo data on a fresh database.
 * Options: { tep: dir } replays the TEP data from dir every TEP_INTERVAL_MS ms (tepIntervalMs overrides).
 * { tep: 'simulated' } plays the demo's simulated signal (no data folder). Without it the feed is off.
 * Returns { baseUrl, port, stop, output() }.
 */
export async function startServer(options = {}) {
  const bin = process.env.ANJIAN_BIN && path.resolve(process.env.ANJIAN_BIN)
  if (!bin) throw new Error('set ANJIAN_BIN to the anjian server binary (e.g. /var/cache/anjian-target/debug/anjian)')
  let lastError
  for (let attempt = 0; attempt < 3; attempt++) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'anjian-browser-'))
    const port = await freePort()
    try {
      return await spawnServer(bin, dir, port, options)
    } catch (e) {
      lastError = e
      await rm(dir, { recursive: true, force: true })
    }
  }
  throw lastError
}

function spawnServer(bin, dir, port, options) {
  const args = ['--listen', `127.0.0.1:${port}`, '--database-url', `sqlite://${dir}/anjian.db?mode=rwc`, 'demo']
  // The server refuses unknown ANJIAN_* variables (ANJIAN_BIN among them): pass none of the caller's.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ANJIAN_')))
  env.ANJIAN_ADMIN_PASSWORD = ADMIN_PASSWORD
  // The machine may run an MQTT broker on 1883: let the built-in listener take any free port.
  env.ANJIAN_MQTT_LISTEN = '127.0.0.1:0'
  if (options.tep) {
    // A folder, or 'simulated' for the demo's simulated signal (a folder without the data).
    env.ANJIAN_TEP_DIR = options.tep === 'simulated' ? dir : options.tep
    env.ANJIAN_TEP_INTERVAL_MS = String(options.tepIntervalMs ?? TEP_INTERVAL_MS)
  } else {
    env.ANJIAN_TEP_DIR = 'off'
  }
  const child = spawn(bin, args, {
    env,
    // Without a TEP folder the demo would play its simulated signal: turn the feed off instead.
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  const keep = (chunk) => {
    out += chunk.toString()
    if (out.length > 200_000) out = out.slice(-100_000)
  }
  child.stderr.on('data', keep)
  let exited = false
  const exitedP = new Promise((resolve) => child.once('exit', (code, sig) => { exited = true; resolve({ code, sig }) }))

  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM')
      const t = setTimeout(() => { if (!exited) child.kill('SIGKILL') }, 10_000)
      await exitedP
      clearTimeout(t)
    }
    await rm(dir, { recursive: true, force: true })
  }

  return new Promise((resolve, reject) => {
    const timer = setTimeout(async () => {
      await stop()
      reject(new Error(`anjian did not print "is listening on" within 60 s:\n${out.slice(-3000)}`))
    }, 60_000)
    child.stdout.on('data', (chunk) => {
      keep(chunk)
      if (/is listening on/.test(out)) {
        clearTimeout(timer)
        resolve({ baseUrl: `http://127.0.0.1:${port}`, port, dir, stop, output: () => out })
      }
    })
    child.once('error', (e) => { clearTimeout(timer); reject(e) })
    exitedP.then(({ code, sig }) => {
      clearTimeout(timer)
      reject(new Error(`anjian exited early (code ${code}, signal ${sig}):\n${out.slice(-3000)}`))
    })
  })
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
  })
}

/** A fresh context + page. Use { viewport: { width, height } } for phones. */
export async function newPage(browser, baseUrl, options = {}) {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    acceptDownloads: true,
    ...options,
  })
  context.setDefaultTimeout(WAIT)
  context.setDefaultNavigationTimeout(WAIT)
  if (process.env.ANJIAN_WEB_DIST) await serveDist(context, baseUrl, path.resolve(process.env.ANJIAN_WEB_DIST))
  const page = await context.newPage()
  const consoleErrors = []
  page.on('pageerror', (e) => consoleErrors.push(String(e)))
  page.consoleErrors = consoleErrors
  return { context, page }
}

const MIME = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.woff2': 'font/woff2', '.woff': 'font/woff', '.ttf': 'font/ttf' }

/**
 * The binary embeds the web/dist it was built with. With $ANJIAN_WEB_DIST set (e.g. a worktree's
 * web/dist), the browser gets the console from that folder instead and only /api from the server:
 * a console change can be tested without rebuilding the binary. Paths that are no file get
 * index.html (history-mode routing), as from the server.
 */
async function serveDist(context, baseUrl, dist) {
  if (!existsSync(path.join(dist, 'index.html'))) throw new Error(`ANJIAN_WEB_DIST=${dist} holds no index.html (run npm run build in web/)`)
  await context.route((url) => url.origin === new URL(baseUrl).origin && !url.pathname.startsWith('/api'), async (route) => {
    const { pathname } = new URL(route.request().url())
    let file = path.join(dist, decodeURIComponent(pathname))
    if (!file.startsWith(dist + path.sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) file = path.join(dist, 'index.html')
    const type = MIME[path.extname(file)] ?? 'application/octet-stream'
    await route.fulfill({ status: 200, contentType: type, body: await readFile(file) })
  })
}

/** Element(s) carrying data-testid=id. */
export const tid = (scope, id) => scope.locator(`[data-testid="${id}"]`)

/** The <input>/<textarea> of an Element Plus field whose data-testid is on the wrapper or on the input itself. */
export const input = (scope, id) =>
  scope.locator(`[data-testid="${id}"] input, input[data-testid="${id}"], [data-testid="${id}"] textarea, textarea[data-testid="${id}"]`).first()

/** Log in through the login page; resolves once the console layout is shown. */
export async function login(page, username, password = DEMO_PASSWORD) {
  await page.goto('/login')
  await input(page, 'login-username').fill(username)
  await input(page, 'login-password').fill(password)
  await tid(page, 'login-submit').click()
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: WAIT })
}

/** Log in through the API; returns the bearer token. */
export async function apiLogin(baseUrl, username, password = DEMO_PASSWORD) {
  const res = await api(baseUrl, null, 'POST', '/api/auth/login', { username, password })
  if (res.status !== 200) throw new Error(`login of ${username} failed: ${res.status} ${JSON.stringify(res.body)}`)
  return res.body.token
}

/** Call the API; returns { status, body } (body parsed as JSON when possible). */
export async function api(baseUrl, token, method, url, body) {
  const headers = {}
  if (token) headers.Authorization = `Bearer ${token}`
  let payload
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  const res = await fetch(baseUrl + url, { method, headers, body: payload, signal: AbortSignal.timeout(WAIT) })
  const text = await res.text()
  let parsed = text
  try { parsed = text ? JSON.parse(text) : undefined } catch { /* keep text */ }
  return { status: res.status, body: parsed, headers: res.headers }
}

/** GET a binary resource with the token (e.g. the import template). */
export async function apiBuffer(baseUrl, token, url) {
  const res = await fetch(baseUrl + url, { headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(WAIT) })
  if (!res.ok) throw new Error(`GET ${url}: ${res.status}`)
  return Buffer.from(await res.arrayBuffer())
}

const safeName = (name) => name.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '').slice(0, 120) || 'test'

/** Poll fn() every `every` ms until it returns a truthy value (bounded by `timeout`); returns it. */
export async function until(fn, what, timeout = WAIT, every = 100) {
  const end = Date.now() + timeout
  let last
  for (;;) {
    try {
      last = await fn()
      if (last) return last
    } catch (e) {
      last = e
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what} (last: ${last})`)
    await new Promise((r) => setTimeout(r, every))
  }
}

/**
 * A screenshot for the docs: screenshots/<name>.png, and with ANJIAN_DOC_SCREENSHOTS=1 also
 * docs/screenshots/<name>.png (the README's pictures; not on every run, so a test run leaves the
 * checkout unchanged).
 */
export async function docScreenshot(page, name) {
  const file = await screenshot(page, name)
  if (process.env.ANJIAN_DOC_SCREENSHOTS === '1') {
    const dir = path.resolve(HERE, '../../docs/screenshots')
    await mkdir(dir, { recursive: true })
    await copyFile(file, path.join(dir, path.basename(file)))
  }
  return file
}

/** Save a full-page screenshot to screenshots/<test-name>.png. */
export async function screenshot(page, testName) {
  await mkdir(SCREENSHOTS, { recursive: true })
  const file = path.join(SCREENSHOTS, `${safeName(testName)}.png`)
  await page.screenshot({ path: file, fullPage: true, timeout: WAIT })
  return file
}

// ---- GB 32100-2015 unified social credit code ----
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY'

/** The check character of the first 17 characters of a credit code. */
export function usccCheckChar(first17) {
  if (first17.length !== 17) throw new Error('need 17 characters')
  let sum = 0
  let w = 1 // 3^(i-1) mod 31 for i = 1..17
  for (const ch of first17) {
    const v = USCC_ALPHABET.indexOf(ch)
    if (v < 0) throw new Error(`character ${ch} is not allowed in a credit code`)
    sum += v * w
    w = (w * 3) % 31
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31]
}

/** A valid credit code, unique per call (random 9-character body after 91320102). */
export function uniqueUscc() {
  let body = '913201' + '02'
  for (let i = 0; i < 9; i++) body += USCC_ALPHABET[Math.floor(Math.random() * USCC_ALPHABET.length)]
  return body + usccCheckChar(body)
}

/** The same code with a wrong check character. */
export function breakUscc(code) {
  const good = code[17]
  const bad = USCC_ALPHABET[(USCC_ALPHABET.indexOf(good) + 1) % USCC_ALPHABET.length]
  return code.slice(0, 17) + bad
}
