// The playground in a real browser: Debian's chromium (.ci/install-tools installs it), headless, driven by
// puppeteer-core. dev serves a scratch project; the test connects two panels, sends through the page and reads the
// page's DOM: the echo in the sender's panel, the broadcast in the other's, a thrown error with its socket.js line.
// A screenshot is kept in test-artifacts/playground.png (CI keeps it as an artifact). No chromium is a failure.
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core'
import { PLAYGROUND_FILE, PLAYGROUND_MAX_BYTES } from '../src/dev/playground.ts'
import { startDev, type DevServer } from '../src/dev/serve.ts'

const CHROMIUM = process.env.SOCKET_ACTION_CHROMIUM ?? '/usr/bin/chromium'
const ARTIFACTS = path.join(import.meta.dirname, '..', 'test-artifacts')

const SOCKET_JS = `// The playground test's project: an echo, a broadcast to the other connections, and a route that throws.
on('connect', async (data, socket) => {
  await socket.join('everyone')
  return 200
})

on('echo', async (data, socket) => {
  console.log(\`echo for \${socket.id}\`)
  await socket.send({ echo: data })
})

on('shout', async (data, socket) => {
  const others = (await socket.members('everyone')).map((m) => m.id).filter((id) => id !== socket.id)
  await socket.broadcast({ shout: data, from: socket.id }, others)
})

on('explode', async () => {
  throw new Error('kaboom on purpose')
})

on('default', async (data, socket) => {
  await socket.send({ text: data })
})
`
const THROW_LINE = SOCKET_JS.split('\n').findIndex((l) => l.includes("throw new Error('kaboom")) + 1

/** Headless, as root, with nothing reaching out to the network but the page. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

async function panels(page: Page): Promise<ElementHandle<Element>[]> {
  return page.$$('section.panel')
}

/** Texts of a panel's log lines of a class (`recv`, `fn`, `err`...). */
function lines(panel: ElementHandle<Element>, cls: string): Promise<string[]> {
  return panel.$$eval(`ol.log li.${cls}`, (items) => items.map((li) => li.textContent ?? ''))
}

/** Waits until a panel has a log line of `cls` matching `pattern`; fails with what the panel shows. */
async function waitForLine(
  panel: ElementHandle<Element>,
  cls: string,
  pattern: RegExp,
  timeoutMs = 10_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = (await lines(panel, cls)).find((l) => pattern.test(l))
    if (found) return found
    if (Date.now() > deadline) {
      const all = await panel.$$eval('ol.log li', (items) => items.map((li) => `${li.className}: ${li.textContent}`))
      assert.fail(`no "${cls}" line matching ${pattern} in the panel; it shows:\n${all.join('\n')}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Types a frame into a panel and presses its Send button, as a user would. */
async function sendThrough(panel: ElementHandle<Element>, frame: string, mode: 'json' | 'text' = 'json') {
  const mode$ = (await panel.$('select.mode'))!
  await mode$.select(mode)
  const box = (await panel.$('textarea.frame'))!
  await box.click({ count: 3 })
  await box.evaluate((el) => {
    ;(el as HTMLTextAreaElement).value = ''
  })
  await box.type(frame)
  await (await panel.$('button.send'))!.click()
}

describe('the playground in headless chromium', () => {
  let dir: string
  let profile: string
  let server: DevServer
  let browser: Browser | undefined
  let page: Page

  before(async () => {
    // A missing browser is a failure, never a skip: the test is the only thing that runs the page.
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `chromium not found at ${CHROMIUM}: the playground's browser test needs Debian's chromium. Run \`bash .ci/install-tools\` (as root it runs apt-get install chromium), or set SOCKET_ACTION_CHROMIUM to a Chromium binary.`,
      )
    }
    dir = await mkdtemp(path.join(tmpdir(), 'playground-'))
    profile = await mkdtemp(path.join(tmpdir(), 'playground-chromium-'))
    await writeFile(path.join(dir, 'socket.js'), SOCKET_JS)
    await writeFile(
      path.join(dir, 'serverless.yml'),
      'name: playground-test\nstage: dev\n\nSocket:\n  component: "@serverless/socket"\n  inputs:\n    connections: registry\n',
    )
    server = await startDev({ configFile: path.join(dir, 'serverless.yml'), port: 0, log: () => {}, output: () => {} })
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...FLAGS, `--user-data-dir=${profile}`],
    })
    page = await browser.newPage()
    await page.setViewport({ width: 1280, height: 900 })
  })

  after(async () => {
    await browser?.close()
    await server?.close()
    if (dir) await rm(dir, { recursive: true, force: true })
    if (profile) await rm(profile, { recursive: true, force: true })
  })

  test('two panels: the echo in its own, the broadcast in the other, a thrown error with its socket.js line', async () => {
    const problems: string[] = []
    page.on('pageerror', (error) => problems.push(`page error: ${error}`))
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`)
    })
    await page.goto(server.pageUrl, { waitUntil: 'load' })
    await page.waitForSelector('body[data-ready="true"]', { timeout: 10_000 })
    assert.equal(await page.$eval('#url', (el) => (el as HTMLInputElement).value), server.url)

    await page.click('#connect')
    await page.click('#connect')
    await page.waitForFunction(
      () => document.querySelectorAll('section.panel[data-connection-id] .state.open').length === 2,
      { timeout: 10_000 },
    )
    const [a, b] = await panels(page)
    assert.ok(a && b)
    const idA = await a.evaluate((el) => (el as HTMLElement).dataset.connectionId!)
    const idB = await b.evaluate((el) => (el as HTMLElement).dataset.connectionId!)
    assert.match(idA, /^[A-Za-z0-9_-]{15}=$/)
    assert.notEqual(idA, idB)
    assert.equal(await a.$eval('.cid', (el) => el.textContent), idA)
    // The rooms each connection is in (the connection registry): $connect joined one.
    assert.equal(await b.$eval('.rooms', (el) => el.textContent), 'rooms: everyone')

    // The routes socket.js registered are the choices (a lifecycle route never is: a frame cannot select it).
    const choices = await a.$$eval('select.route option', (options) =>
      options.map((o) => (o as HTMLOptionElement).value).filter(Boolean),
    )
    assert.deepEqual(choices.sort(), ['echo', 'explode', 'shout'])
    await (await a.$('select.route'))!.select('echo')
    assert.deepEqual(JSON.parse(await a.$eval('textarea.frame', (el) => (el as HTMLTextAreaElement).value)), {
      route: 'echo',
      data: {},
    })

    // The echo: the frame sent, the reply, and the handler's console.log, all in the sender's panel.
    await sendThrough(a, '{"route":"echo","data":{"n":1}}')
    await waitForLine(a, 'sent', /→ \{"route":"echo","data":\{"n":1\}\}/)
    await waitForLine(a, 'recv', /← \{"echo":\{"n":1\}\}/)
    await waitForLine(a, 'out', new RegExp(`echo for ${idA.replace(/[-=]/g, '\\$&')}`))
    await waitForLine(a, 'fn', /λ \$default 200 /)

    // The broadcast reaches the other panel, not the sender's.
    await sendThrough(a, '{"route":"shout","data":"hello all"}')
    const shout = await waitForLine(b, 'recv', /"shout":"hello all"/)
    assert.ok(shout.includes(idA), shout)
    await waitForLine(a, 'fn', /λ \$default 200 .*$/)
    assert.deepEqual(
      (await lines(a, 'recv')).filter((l) => l.includes('shout')),
      [],
      "the sender is not among the broadcast's recipients",
    )

    // A text frame goes as is (the default route's echo shows what arrived).
    await sendThrough(b, 'plain words', 'text')
    await waitForLine(b, 'recv', /← \{"text":"plain words"\}/)

    // The thrown error, with its socket.js line, beside the frame that caused it.
    await sendThrough(a, '{"route":"explode"}')
    const failed = await waitForLine(a, 'fn.err', /kaboom on purpose/)
    // What the runtime logged for it (stderr) is there too, with the same line.
    assert.match(await waitForLine(a, 'out.err', /handler failed/), new RegExp(`socket\\.js:${THROW_LINE}:`))
    assert.match(
      failed,
      new RegExp(`λ \\$default error .*Error: kaboom on purpose \\(socket\\.js:${THROW_LINE}:\\d+\\)`),
    )
    await waitForLine(a, 'recv', /"message":"Internal server error"/)

    // The last frames are kept: the first echo again, from its button.
    const resend = (await a.$$('.recent button.resend')).length
    assert.equal(resend, 3)
    const echoButton = await a.$('.recent button.resend[title*="echo"]')
    assert.ok(echoButton, 'the echo is among the frames kept for re-sending')
    await echoButton.click()
    const deadline = Date.now() + 10_000
    while ((await lines(a, 'recv')).filter((l) => l.includes('{"echo":{"n":1}}')).length < 2) {
      assert.ok(Date.now() < deadline, 'the re-sent echo came back')
      await new Promise((resolve) => setTimeout(resolve, 50))
    }

    // Closing shows the code and reason, and the $disconnect that followed.
    await (await b.$('button.close'))!.click()
    await waitForLine(b, 'closed', /closed 1000 closed in the playground/)
    await waitForLine(b, 'fn', /λ \$disconnect 200/)

    await mkdir(ARTIFACTS, { recursive: true })
    const shot = path.join(ARTIFACTS, 'playground.png')
    await page.screenshot({ path: shot, fullPage: true })
    assert.ok((await stat(shot)).size > 10_000, 'a screenshot of the page')
    assert.deepEqual(problems, [])
  })
})

// Outside the browser suite: it holds whether or not chromium starts.
test(`the page is one file, under ${PLAYGROUND_MAX_BYTES / 1024} KB`, async () => {
  const html = await readFile(PLAYGROUND_FILE)
  assert.ok(html.length < PLAYGROUND_MAX_BYTES, `${html.length} bytes`)
  assert.doesNotMatch(html.toString(), /<script[^>]+src=|<link[^>]+href=/, 'no other file to load')
})
