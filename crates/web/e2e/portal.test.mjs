// Browser tests of the results portal in real headless Chromium.
//
// Environment: BASE (the portal's URL, e.g. http://127.0.0.1:PORT), RECORD (the election
// record the portal serves: the expected names, counts and seats are read from its files,
// never from the pages), OUT (folder for screenshots), CHROMIUM (default /usr/bin/chromium).
// For the bulletin-board tests: BOARD (the board's URL, also given to the portal), SANDUQ
// (the binary), BOOTH_PKG (the booth's WebAssembly package), LOG_VKEY and WITNESS_VKEY (the
// keys the portal was given); without them those tests fail.
// Prints one line per test and a last line "N passed, M failed"; exits 1 on any failure.

import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const { BOARD, SANDUQ, BOOTH_PKG, LOG_VKEY, WITNESS_VKEY } = process.env;
const params = JSON.parse(readFileSync(join(RECORD, 'election/parameters.json'), 'utf8'));

// The messages of each locale, read from the message files (the translations are the
// specification of what a page says).
const HERE = new URL('.', import.meta.url).pathname;
const messages = Object.fromEntries(LOCALES.map((l) => {
  const m = {};
  for (const line of readFileSync(join(HERE, '../locales', `${l}.ftl`), 'utf8').split('\n')) {
    const i = line.indexOf(' = ');
    if (i > 0 && !line.startsWith('#')) m[line.slice(0, i).trim()] = line.slice(i + 3).trim();
  }
  return [l, m];
}));
const say = (l, id) => {
  const v = messages[l][id];
  if (!v) throw new Error(`no message ${id} in ${l}`);
  return v;
};
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
          assert(rows === 16, `checks listed: ${rows}`);
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


  // remote voting: sign in with a credential, vote, challenge, vote again, cast to the
  // board through the portal, then check the receipt on the board (server and browser)
  const credDir = mkdtempSync(join(tmpdir(), 'sanduq-credential-'));
  // a fresh voter credential for `station`, in the contract's format
  // (sanduq-voter-credential/0.1), written to `name` in credDir; returns its path
  const credential = (name, station) => {
    const path = join(credDir, name);
    writeFileSync(path, JSON.stringify({
      election: params.fingerprint,
      format: 'sanduq-voter-credential/0.1',
      secret: randomBytes(32).toString('hex'),
      station,
    }));
    return path;
  };
  const casts = {};
  for (const l of LOCALES) {
    await test(`${l} booth: sign in with a credential, challenge, vote again, cast, receipt verified on the board`, async () => {
      assert(BOARD, 'BOARD is not set');
      const st = manifest.polling_stations[LOCALES.indexOf(l) % manifest.polling_stations.length];
      const credPath = credential(`${l}.json`, st.id);
      const page = await context.newPage();
      const errors = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      const posted = [];
      page.on('request', (r) => { if (r.method() !== 'GET') posted.push({ url: r.url(), body: r.postDataBuffer() }); });
      await page.goto(`${BASE}/${l}/booth`);
      assert((await page.getAttribute('html', 'dir')) === (RTL.has(l) ? 'rtl' : 'ltr'), 'dir');
      await page.waitForSelector('#ballot-form:not([hidden])', { timeout: 30000 });
      await page.setInputFiles('#credential', credPath);
      await page.waitForSelector('#signed-in:not([hidden])');
      // the ballot of the station's style: its contests, each candidate by name
      const styleContests = manifest.contests.filter((c) => c.round === 1);
      const legends = await page.locator('fieldset.ballot legend').allInnerTexts();
      assert(legends.length >= 1, 'no contest on the ballot');
      const firstId = await page.locator('fieldset.ballot input').first().getAttribute('name');
      const first = contests.get(firstId);
      assert(first && styleContests.includes(first), `contest ${firstId}`);
      const labels = await page.locator(`fieldset.ballot input[name="${firstId}"] + label`).allInnerTexts();
      assert(labels.length === first.candidates.length, `${labels.length} candidates`);
      assert(labels[0].includes(nameIn(first.candidates[0].name, l)), labels[0]);
      // vote for candidate 1, challenge: the choice is shown and the encryption checks out
      const k1 = first.candidates[1];
      await page.check(`input[name="${firstId}"][value="${k1.id}"]`);
      await page.click('#ballot-form button[type=submit]');
      await page.waitForSelector('#review:not([hidden])');
      assert(!(await page.isDisabled('#cast')), 'cast is disabled after sign-in');
      await page.click('#challenge');
      await page.waitForSelector('#opened:not([hidden])');
      const shown = await page.innerText('#opened-choices');
      assert(shown.includes(nameIn(k1.name, l)), `challenged ballot shows ${shown}`);
      assert((await page.locator('#opened-result.status.ok').innerText()).startsWith('✔'), 'opening not verified');
      await page.screenshot({ path: join(OUT, `${l}-booth-credential-challenged.png`), fullPage: true });
      // vote again, for candidate 0, and cast
      await page.click('#again');
      const k0 = first.candidates[0];
      await page.check(`input[name="${firstId}"][value="${k0.id}"]`);
      await page.click('#ballot-form button[type=submit]');
      await page.waitForSelector('#review:not([hidden])');
      const code = (await page.innerText('#code')).trim();
      await page.screenshot({ path: join(OUT, `${l}-booth-credential-review.png`), fullPage: true });
      await page.click('#cast');
      await page.waitForSelector('#cast-done:not([hidden])', { timeout: 30000 });
      const tracking = (await page.innerText('#cast-code')).trim();
      assert(/^[0-9a-f]{64}$/.test(tracking), `tracking code ${tracking}`);
      assert(tracking === code, 'the code shown at review is the receipt');
      assert((await page.getAttribute('#cast-code', 'dir')) === 'ltr', 'code is not ltr');
      await page.screenshot({ path: join(OUT, `${l}-booth-cast.png`), fullPage: true });
      // one POST, to the portal's own /cast, never the credential
      assert(posted.length === 1 && posted[0].url === `${BASE}/cast`, `posts: ${posted.map((p) => p.url)}`);
      const sent = posted[0].body;
      const secret = JSON.parse(readFileSync(credPath, 'utf8')).secret;
      assert(!sent.toString('hex').includes(secret) && !sent.toString('latin1').includes(secret), 'the secret left the page');
      // the envelope (board-server.md §2): version 1, kind remote-ballot, this election
      const kind = 'remote-ballot';
      assert(sent[0] === 1 && sent[1] === kind.length && sent.subarray(2, 2 + kind.length).toString() === kind, 'envelope header');
      assert(sent.subarray(2 + kind.length, 34 + kind.length).toString('hex') === params.fingerprint, 'envelope election');
      const sha = await import('node:crypto').then((c) => c.createHash('sha256').update(sent).digest('hex'));
      assert(sha === tracking, 'tracking code is SHA-256 of the envelope');
      const body = JSON.parse(sent.subarray(75 + kind.length, sent.length - 96).toString());
      assert(body.format === 'sanduq-remote-ballot/0.1' && body.station === st.id, 'remote ballot content');
      assert(body.credential === sent.subarray(sent.length - 96, sent.length - 64).toString('hex'), 'signer is the credential');
      // the board has it
      const onBoard = await page.request.get(`${BOARD}/proof/${tracking}`);
      assert([200, 404].includes(onBoard.status()), `board: ${onBoard.status()}`);
      casts[l] = tracking;
      // the receipt page: verified by the server and in the browser (the checkpoint may
      // take a moment to be published and cosigned)
      await page.click('#cast-receipt');
      let ok = false;
      for (let i = 0; i < 40 && !ok; i += 1) {
        const h = await page.locator('#h-answer').innerText();
        ok = h.includes(say(l, 'board-verified'));
        if (!ok) {
          await page.waitForTimeout(500);
          await page.reload();
        }
      }
      assert(ok, `receipt not verified: ${await page.locator('#h-answer').innerText()}`);
      assert((await page.getAttribute('html', 'dir')) === (RTL.has(l) ? 'rtl' : 'ltr'), 'receipt dir');
      const table = await page.innerText('#board-receipt');
      assert(table.includes(tracking) && table.includes(kind), 'entry shown');
      assert(table.includes(say(l, 'board-sig-ok')) && table.includes(say(l, 'board-inclusion-ok')), 'server checks');
      assert(table.includes('witness.test.example') && table.includes(say(l, 'board-cosig-ok')), 'witness');
      await page.waitForSelector('#board-browser:not([hidden])', { timeout: 30000 });
      assert((await page.getAttribute('#board-browser', 'data-verified')) === 'yes',
        `browser check: ${await page.innerText('#board-browser')}`);
      assert((await page.innerText('#board-browser-result')).startsWith('✔'), 'browser result');
      // the code and hashes read left to right inside a right-to-left page
      assert((await page.locator('#board-receipt code[dir="ltr"]').count()) >= 3, 'ltr codes');
      await page.screenshot({ path: join(OUT, `${l}-receipt-board.png`), fullPage: true });
      assert(errors.length === 0, `console errors: ${errors.join(' | ')}`);
      await page.close();
    });
  }
  // after remote voting closes, the board refuses a remote ballot (422, detail
  // `polls_closed: …`, as `sanduq serve --validator election` answers): the booth says so
  // in the page's language, shows no receipt, and does not offer to cast again
  for (const l of LOCALES) {
    await test(`${l} booth: a cast after remote voting closed is refused with a clear message`, async () => {
      const st = manifest.polling_stations[0];
      const credPath = credential(`closed-${l}.json`, st.id);
      const page = await context.newPage();
      await page.route('**/cast', (route) => route.fulfill({
        status: 422,
        contentType: 'application/json',
        body: JSON.stringify({
          error: 'invalid_entry',
          detail: 'polls_closed: kind: remote voting is closed: a polls-closed entry is in the log',
        }),
      }));
      await page.goto(`${BASE}/${l}/booth`);
      await page.waitForSelector('#ballot-form:not([hidden])', { timeout: 30000 });
      await page.setInputFiles('#credential', credPath);
      await page.waitForSelector('#signed-in:not([hidden])');
      await page.locator('fieldset.ballot input').first().check();
      await page.click('#ballot-form button[type=submit]');
      await page.waitForSelector('#review:not([hidden])');
      await page.click('#cast');
      await page.waitForFunction(() => document.getElementById('cast-error').textContent !== '');
      const shown = (await page.innerText('#cast-error')).trim();
      assert(shown === say(l, 'booth-cast-closed'), `message: ${shown}`);
      assert(await page.isDisabled('#cast'), 'cast is still offered');
      assert(await page.locator('#cast-done').isHidden(), 'a receipt is shown');
      await page.screenshot({ path: join(OUT, `${l}-booth-closed.png`), fullPage: true });
      await page.close();
    });
  }
  rmSync(credDir, { recursive: true, force: true });

  for (const l of LOCALES) {
    await test(`${l} receipt: unknown and malformed codes are clear errors`, async () => {
      const page = await context.newPage();
      await page.goto(`${BASE}/${l}/receipt?code=${'0'.repeat(64)}`);
      let h = await page.locator('h2#h-answer.status.bad').innerText();
      assert(h.includes(say(l, 'board-not-found')), `unknown: ${h}`);
      await page.goto(`${BASE}/${l}/receipt?code=not-a-code`);
      h = await page.locator('h2#h-answer.status.bad').innerText();
      assert(h.includes(say(l, 'receipt-bad-code')), `malformed: ${h}`);
      await page.screenshot({ path: join(OUT, `${l}-receipt-bad-code.png`), fullPage: true });
      await page.close();
    });
  }

  // a board that tampers with its proofs: a second portal reads the board through a proxy
  // that changes one inclusion-proof hash
  await test('tampered inclusion proof: refused by the server and in the browser, every locale', async () => {
    assert(SANDUQ && BOOTH_PKG && LOG_VKEY && WITNESS_VKEY, 'SANDUQ, BOOTH_PKG, LOG_VKEY, WITNESS_VKEY must be set');
    const code = casts.en;
    assert(code, 'no ballot was cast');
    const proxy = createServer(async (req, res) => {
      const up = await fetch(`${BOARD}${req.url}`);
      let text = await up.text();
      if (req.url.startsWith('/proof/') && up.status === 200) {
        const lines = text.split('\n');
        // line 4 is the first proof hash; change its first base64 digit
        assert(lines[3] !== '', 'no proof hash to tamper with');
        lines[3] = (lines[3][0] === 'A' ? 'B' : 'A') + lines[3].slice(1);
        text = lines.join('\n');
      }
      res.writeHead(up.status, { 'content-type': up.headers.get('content-type') || 'text/plain' });
      res.end(text);
    });
    await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
    const proxyUrl = `http://127.0.0.1:${proxy.address().port}`;
    const portal = spawn(SANDUQ, ['portal', '--record', RECORD, '--listen', '127.0.0.1:0', '--booth-pkg', BOOTH_PKG,
      '--board', proxyUrl, '--log-key', LOG_VKEY, '--witness-key', WITNESS_VKEY], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      const base2 = await new Promise((resolve, reject) => {
        let err = '';
        portal.stderr.on('data', (d) => {
          err += d;
          const m = err.match(/http:\/\/127\.0\.0\.1:\d+/);
          if (m) resolve(m[0]);
        });
        portal.on('exit', () => reject(new Error(`portal exited: ${err}`)));
        setTimeout(() => reject(new Error('portal did not start')), 60000);
      });
      for (const l of LOCALES) {
        const page = await context.newPage();
        await page.goto(`${base2}/${l}/receipt?code=${code}`);
        const h = await page.locator('h2#h-answer.status.bad').innerText();
        assert(h.includes(say(l, 'board-failed')), `${l}: ${h}`);
        const table = await page.innerText('#board-receipt');
        assert(table.includes(say(l, 'board-inclusion-bad')), `${l}: inclusion not refused`);
        assert(table.includes(say(l, 'board-sig-ok')), `${l}: the checkpoint itself is genuine`);
        await page.waitForSelector('#board-browser:not([hidden])', { timeout: 30000 });
        assert((await page.getAttribute('#board-browser', 'data-verified')) === 'no', `${l}: browser accepted a tampered proof`);
        await page.screenshot({ path: join(OUT, `${l}-receipt-tampered.png`), fullPage: true });
        await page.close();
      }
    } finally {
      portal.kill();
      proxy.close();
    }
  });

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
