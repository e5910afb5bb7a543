// Browser tests of the results portal in real headless Chromium.
//
// Environment: BASE (the portal's URL, e.g. http://127.0.0.1:PORT), RECORD (the election
// record the portal serves: the expected names, counts and seats are read from its files,
// never from the pages), OUT (folder for screenshots), CHROMIUM (default /usr/bin/chromium).
// Prints one line per test and a last line "N passed, M failed"; exits 1 on any failure.

import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BASE = process.env.BASE;
const RECORD = process.env.RECORD;
const OUT = process.env.OUT || 'test-output';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
if (!BASE || !RECORD) {
  console.error('BASE and RECORD must be set');
  process.exit(2);
}
mkdirSync(OUT, { recursive: true });

const manifest = JSON.parse(readFileSync(join(RECORD, 'election/manifest.json'), 'utf8'));
const results = JSON.parse(readFileSync(join(RECORD, 'results/results.json'), 'utf8')).results;

const LOCALES = ['en', 'fa-AF', 'ps', 'uz-Arab'];
const RTL = new Set(['fa-AF', 'ps', 'uz-Arab']);

// Expected renderings, derived here independently of the server.
const nameIn = (names, l) => (l === 'uz-Arab' ? names['uz-Arab'] ?? names['fa-AF'] : names[l]);
const digits = (s, l) =>
  RTL.has(l) ? String(s).replace(/[0-9]/g, (d) => String.fromCharCode(0x06f0 + Number(d))) : String(s);
const grouped = (n, l) => {
  const sep = RTL.has(l) ? '\u066c' : ',';
  return digits(String(n).replace(/\B(?=(\d{3})+(?!\d))/g, sep), l);
};

const contests = new Map(manifest.contests.map((c) => [c.id, c]));
const presidential = results.find((r) => r.method === 'two-round') ?? results[0];
const wj = results.find((r) => r.contest.startsWith('wj-') && r.status === 'counted' && r.reserved_elected.length > 0)
  ?? results.find((r) => r.seats > 1 && r.status === 'counted');
const province = manifest.jurisdictions.find((j) => j.kind === 'province');
const district = manifest.jurisdictions.find((j) => j.kind === 'district' && j.parent === province.id);
const centre = manifest.polling_centres.find((c) => c.parent === district.id) ?? manifest.polling_centres[0];
const station = manifest.polling_stations.find((s) => s.parent === centre.id) ?? manifest.polling_stations[0];

const pages = [
  { key: 'nation', path: '/' },
  { key: 'province', path: `/unit/${province.id}`, unit: province },
  { key: 'district', path: `/unit/${district.id}`, unit: district },
  { key: 'centre', path: `/unit/${centre.id}`, unit: centre },
  { key: 'station', path: `/unit/${station.id}` },
  { key: 'contest-president', path: `/contest/${presidential.contest}`, result: presidential },
  { key: 'contest-wj', path: `/contest/${wj.contest}`, result: wj },
  { key: 'verification', path: '/verification' },
  { key: 'anomalies', path: '/anomalies' },
  { key: 'downloads', path: '/downloads' },
  { key: 'receipt-form', path: '/receipt' },
  { key: 'booth', path: '/booth' },
];

let passed = 0;
let failed = 0;
async function test(name, fn) {
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${name}: ${e && e.message ? e.message : e}`);
  }
}
function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

const userDataDir = mkdtempSync(join(tmpdir(), 'sanduq-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-quic',
    '--no-first-run',
    '--disable-component-update',
    '--disable-sync',
  ],
  viewport: { width: 1100, height: 900 },
});

try {
  for (const l of LOCALES) {
    for (const p of pages) {
      const url = `${BASE}/${l}${p.path}`;
      await test(`${l} ${p.key}: loads, no console error, lang/dir, real data`, async () => {
        const page = await context.newPage();
        const errors = [];
        page.on('console', (m) => {
          if (m.type() === 'error') errors.push(m.text());
        });
        page.on('pageerror', (e) => errors.push(String(e)));
        const resp = await page.goto(url, { waitUntil: 'load' });
        assert(resp && resp.status() === 200, `HTTP ${resp && resp.status()}`);
        const lang = await page.getAttribute('html', 'lang');
        const dir = await page.getAttribute('html', 'dir');
        assert(lang === l, `lang=${lang}`);
        assert(dir === (RTL.has(l) ? 'rtl' : 'ltr'), `dir=${dir}`);
        const text = await page.innerText('main');

        if (p.key === 'nation') {
          // every province by its name in the locale, and the national ballot count
          for (const j of manifest.jurisdictions.filter((x) => x.kind === 'province')) {
            assert(text.includes(nameIn(j.name, l)), `province ${j.id} missing`);
          }
          const stations = manifest.polling_stations.length;
          assert(text.includes(grouped(stations, l)), `station count ${stations} missing`);
        }
        if (p.unit) {
          assert(text.includes(nameIn(p.unit.name, l)), `unit name missing`);
        }
        if (p.result) {
          const c = contests.get(p.result.contest);
          for (const k of c.candidates) {
            assert(text.includes(nameIn(k.name, l)), `candidate ${k.id} name missing`);
            const votes = grouped(p.result.totals[k.id] ?? 0, l);
            const row = page.locator('table.results tbody tr', { hasText: nameIn(k.name, l) }).first();
            const rowText = await row.innerText();
            assert(rowText.includes(votes), `votes of ${k.id}: ${votes} not in "${rowText}"`);
          }
          // seats: one mark per elected candidate in the table, one square per seat
          const marks = await page.locator('table.results tr.elected').count();
          assert(marks === p.result.elected.length, `elected rows ${marks} != ${p.result.elected.length}`);
          const seats = await page.locator('svg.seats rect.seat').count();
          assert(seats === p.result.elected.length, `seat squares ${seats}`);
          const reserved = await page.locator('svg.seats rect.seat.reserved').count();
          assert(reserved === p.result.reserved_elected.length, `reserved squares ${reserved}`);
          const rounds = await page.locator('table.round').count();
          assert(rounds >= 1, 'no round-by-round report');
        }
        if (p.key === 'verification') {
          const rows = await page.locator('table.checks tbody tr').count();
          assert(rows === 15, `checks listed: ${rows}`);
        }

        // right to left: the first column of each table sits at the table's right edge
        const tables = await page.locator('main table').all();
        for (const t of tables.slice(0, 3)) {
          const tb = await t.boundingBox();
          const cell = await t.locator('tr').first().locator('th, td').first().boundingBox();
          if (!tb || !cell) continue;
          if (RTL.has(l)) {
            assert(Math.abs(tb.x + tb.width - (cell.x + cell.width)) <= 2, 'first column not at the right edge');
            assert(cell.x > tb.x + 2 || tb.width <= cell.width + 2, 'first column spans left');
          } else {
            assert(Math.abs(tb.x - cell.x) <= 2, 'first column not at the left edge');
          }
        }
        // chart labels inside the chart's box, on the reading side of their bars
        for (const svg of await page.locator('svg.bars').all()) {
          const box = await svg.boundingBox();
          const rows = await svg.locator('g.row').all();
          for (const r of rows.slice(0, 5)) {
            const lb = await r.locator('text.label').boundingBox();
            const bar = await r.locator('rect.bar').boundingBox();
            const vb = await r.locator('text.value').boundingBox();
            for (const b of [lb, vb]) {
              assert(b.x >= box.x - 1 && b.x + b.width <= box.x + box.width + 1, 'chart text outside the chart');
            }
            if (RTL.has(l)) {
              assert(lb.x >= bar.x + bar.width - 1, 'label not right of its bar');
              assert(vb.x + vb.width <= bar.x + 1, 'value not left of its bar');
            } else {
              assert(lb.x + lb.width <= bar.x + 1, 'label not left of its bar');
              assert(vb.x >= bar.x + bar.width - 1, 'value not right of its bar');
            }
          }
        }
        await page.screenshot({ path: join(OUT, `${l}-${p.key}.png`), fullPage: true });
        assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);
        await page.close();
      });
    }
  }

  // receipts: the codes come from the record's ballot files
  const ballots = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name === 'ballots.jsonl') {
        for (const line of readFileSync(full, 'utf8').split('\n')) if (line) ballots.push(JSON.parse(line));
      }
    }
  };
  walk(join(RECORD, 'districts'));
  const castBallot = ballots.find((b) => b.status === 'cast');
  const challenged = ballots.find((b) => b.status === 'challenged');
  for (const l of LOCALES) {
    await test(`${l} receipt: a cast ballot is found by typing its code (no JavaScript needed)`, async () => {
      const page = await context.newPage();
      const errors = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.goto(`${BASE}/${l}/receipt`);
      await page.fill('#code', castBallot.code.toUpperCase().replace(/(.{16})/g, '$1 '));
      await page.press('#code', 'Enter');
      await page.waitForLoadState('load');
      const ok = await page.locator('h2.status.ok').count();
      assert(ok === 1, 'not found');
      const text = await page.innerText('main');
      assert(text.includes(castBallot.code), 'code not shown');
      assert(text.includes(castBallot.ballot.device), 'device not shown');
      assert(text.includes(digits(castBallot.ballot.seq, l)), 'sequence not shown');
      // checked again in the browser, by the WebAssembly crypto core
      await page.waitForSelector('#browser-check:not([hidden])', { timeout: 20000 });
      const inBrowser = await page.innerText('#browser-result');
      assert(inBrowser.startsWith('✔'), `browser check: ${inBrowser}`);
      await page.screenshot({ path: join(OUT, `${l}-receipt.png`), fullPage: true });
      assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);
      await page.close();
    });
    if (challenged) {
      await test(`${l} receipt: a challenged ballot shows the choices made`, async () => {
        const page = await context.newPage();
        await page.goto(`${BASE}/${l}/receipt?code=${challenged.code}`);
        const items = await page.locator('ul.opened li').allInnerTexts();
        for (const oc of challenged.opening) {
          const c = contests.get(oc.contest);
          for (const sel of oc.selections.filter((x) => x.vote > 0)) {
            const k = c.candidates.find((x) => x.id === sel.id);
            assert(items.some((it) => it.includes(nameIn(k.name, l))), `choice ${sel.id} in ${oc.contest} not shown`);
          }
        }
        await page.close();
      });
    }
  }
  // the voting booth: encrypted in the browser by the WebAssembly crypto core
  const pres = contests.get(presidential.contest);
  for (const l of LOCALES) {
    await test(`${l} booth: encrypt in the browser, review, challenge shows the choice made`, async () => {
      const page = await context.newPage();
      const errors = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      const posted = [];
      page.on('request', (r) => { if (r.method() !== 'GET') posted.push(r.url()); });
      await page.goto(`${BASE}/${l}/booth`);
      await page.waitForSelector('#ballot-form:not([hidden])', { timeout: 30000 });
      // every candidate with number, symbol and name
      const labels = await page.locator('fieldset.ballot label').allInnerTexts();
      assert(labels.length === pres.candidates.length, `${labels.length} candidates on the ballot`);
      const k = pres.candidates[2];
      assert(labels[2].includes(nameIn(k.name, l)) && labels[2].includes(digits(k.ballot_number, l)), labels[2]);
      // keyboard: the radio button is reachable and checkable without a mouse
      await page.focus(`input[value="${k.id}"]`);
      await page.keyboard.press('Space');
      assert(await page.isChecked(`input[value="${k.id}"]`), 'not checked by keyboard');
      await page.click('#ballot-form button[type=submit]');
      await page.waitForSelector('#review:not([hidden])');
      const code = (await page.innerText('#code')).trim();
      assert(/^[0-9a-f]{64}$/.test(code), `tracking code ${code}`);
      const cts = await page.textContent('#ciphertexts'); // inside a closed <details>
      assert((cts.match(/[0-9a-f]{128}/g) || []).length === pres.candidates.length, 'one ciphertext per candidate');
      assert(!cts.includes(nameIn(k.name, l)), 'plaintext in the encrypted ballot');
      assert(await page.isDisabled('#cast'), 'cast should wait for the board');
      await page.screenshot({ path: join(OUT, `${l}-booth-review.png`), fullPage: true });
      await page.click('#challenge');
      await page.waitForSelector('#opened:not([hidden])');
      const shown = await page.innerText('#opened-choices');
      assert(shown.includes(nameIn(k.name, l)), `challenged ballot shows ${shown}`);
      assert((await page.innerText('#opened-code')).trim() === code, 'same tracking code');
      assert((await page.locator('#opened-result.status.ok').innerText()).startsWith('✔'), 'opening not verified');
      await page.screenshot({ path: join(OUT, `${l}-booth-challenged.png`), fullPage: true });
      assert(posted.length === 0, `sent to the server: ${posted.join(' ')}`);
      assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);
      await page.close();
    });
  }

  await test('receipt: an unknown code is reported as not found', async () => {
    const page = await context.newPage();
    await page.goto(`${BASE}/en/receipt?code=${'0'.repeat(64)}`);
    assert((await page.locator('h2.status.bad').count()) === 1, 'no not-found answer');
    await page.close();
  });

  await test('keyboard: Tab reaches the skip link first, then the language switcher', async () => {
    const page = await context.newPage();
    await page.goto(`${BASE}/fa-AF/`);
    await page.keyboard.press('Tab');
    const first = await page.evaluate(() => document.activeElement.className);
    assert(first === 'skip', `first focus: ${first}`);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    const lang = await page.evaluate(() => document.activeElement.getAttribute('hreflang'));
    assert(lang === 'fa-AF', `language link expected, got ${lang}`);
    await page.close();
  });

  await test('language switcher keeps the page', async () => {
    const page = await context.newPage();
    await page.goto(`${BASE}/en/contest/${presidential.contest}`);
    await page.click('a[hreflang="ps"]');
    assert(page.url().endsWith(`/ps/contest/${presidential.contest}`), page.url());
    await page.close();
  });

  await test('CSV download has every candidate with the record\'s votes', async () => {
    const page = await context.newPage();
    const resp = await page.request.get(`${BASE}/download/results.csv`);
    assert(resp.status() === 200, `HTTP ${resp.status()}`);
    const body = await resp.text();
    const lines = body.trim().split('\r\n');
    const expected = results.reduce((n, r) => n + contests.get(r.contest).candidates.length, 0);
    assert(lines.length === expected + 1, `${lines.length - 1} rows, expected ${expected}`);
    const top = Object.entries(presidential.totals).sort((a, b) => b[1] - a[1])[0];
    assert(lines.some((x) => x.startsWith(`${presidential.contest},`) && x.includes(`,${top[0]},`) && x.includes(`,${top[1]},`)), 'top candidate row');
    await page.close();
  });

  await test('record download is the record (index.json inside)', async () => {
    const page = await context.newPage();
    const resp = await page.request.get(`${BASE}/download/record.tar`);
    assert(resp.status() === 200, `HTTP ${resp.status()}`);
    const buf = await resp.body();
    const want = readFileSync(join(RECORD, 'index.json'));
    assert(buf.includes(want), 'index.json not in the archive');
    await page.close();
  });
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
