// The voting booth: the ballot is encrypted here, in the browser, by sanduq's crypto core
// compiled to WebAssembly; the server never sees the plaintext. A voter who signs in with
// the credential file they were given (read here, never uploaded) gets the ballot of their
// station and group, encrypted with every proof bound to their credential, and may cast it:
// the booth signs the bulletin-board entry with the credential key and sends it through the
// portal's /cast to the board. Strings come from the page (data-* attributes, in the page's
// language).
import init, {
  encrypt_ballot, encrypt_ballot_with_credential, check_opening, credential_info, cast_ballot,
} from '/booth/pkg/sanduq_booth_wasm.js';

const root = document.getElementById('booth');
const form = document.getElementById('ballot-form');
const review = document.getElementById('review');
const opened = document.getElementById('opened');
const castDone = document.getElementById('cast-done');
const castButton = document.getElementById('cast');
const msg = (k) => root.dataset[k] || '';
const lang = root.dataset.lang;
let setup = null;
let encrypted = null;
let credential = null; // the credential file's text: stays in this page

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function unhex(s) {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i += 1) out[i] = parseInt(s.substr(2 * i, 2), 16);
  return out;
}

function error(text) {
  document.getElementById('booth-error').textContent = text;
}

function chosen() {
  const out = {};
  for (const c of setup.contests) {
    out[c.contest] = Array.from(form.querySelectorAll(`input[name="${c.contest}"]:checked`), (i) => i.value);
  }
  return out;
}

function labelOf(contest, id) {
  const el = form.querySelector(`input[name="${contest}"][value="${id}"]`);
  return el ? el.dataset.label : id;
}

function titleOf(contest) {
  const legend = form.querySelector(`input[name="${contest}"]`)?.closest('fieldset')?.querySelector('legend');
  return legend ? legend.textContent.split(' — ')[0] : contest;
}

// The ballot of a credential's style, built from the portal's description of it.
function buildBallot(style) {
  const button = form.querySelector('button[type="submit"]');
  for (const f of form.querySelectorAll('fieldset')) f.remove();
  for (const c of style.contests) {
    const fs = document.createElement('fieldset');
    fs.className = 'ballot';
    const legend = document.createElement('legend');
    legend.textContent = `${c.title} — ${c.max > 1 ? `${msg('markUpto')} ${c.max}` : msg('markOne')}`;
    fs.append(legend);
    for (const k of c.candidates) {
      const div = document.createElement('div');
      div.className = 'choice';
      const input = document.createElement('input');
      input.type = c.max > 1 ? 'checkbox' : 'radio';
      input.id = `${c.id}-${k.id}`;
      input.name = c.id;
      input.value = k.id;
      input.dataset.label = `${k.number} ${k.name}`;
      const label = document.createElement('label');
      label.htmlFor = input.id;
      const num = document.createElement('span');
      num.className = 'num-big';
      num.textContent = k.number;
      const glyph = document.createElement('span');
      glyph.className = 'glyph';
      glyph.setAttribute('role', 'img');
      glyph.setAttribute('aria-label', k.symbol_name);
      glyph.textContent = k.symbol;
      const name = document.createElement('span');
      name.className = 'cand';
      name.textContent = k.name;
      label.append(num, ' ', glyph, ' ', name);
      div.append(input, label);
      fs.append(div);
    }
    form.insertBefore(fs, button);
  }
}

async function signIn(file) {
  error('');
  const text = await file.text();
  let info;
  try {
    info = JSON.parse(credential_info(text));
  } catch (e) {
    error(`${msg('credentialBad')}: ${e.message || e}`);
    return;
  }
  if (info.election !== setup.fingerprint) {
    error(`${msg('credentialBad')}: election ${info.election}`);
    return;
  }
  const q = new URLSearchParams({ station: info.station });
  if (info.group) q.set('group', info.group);
  const answer = await fetch(`/${lang}/booth/style?${q}`);
  const style = await answer.json();
  if (!answer.ok) {
    error(`${msg('credentialBad')}: ${style.error || answer.status}`);
    return;
  }
  credential = text;
  setup = style.setup;
  buildBallot(style);
  document.getElementById('signed-station').textContent = style.station;
  document.getElementById('signed-in').hidden = false;
  document.getElementById('cast-note').textContent = msg('castHelp');
  review.hidden = true;
  opened.hidden = true;
  castDone.hidden = true;
  form.hidden = false;
}

function showList(listId, marks) {
  const list = document.getElementById(listId);
  list.replaceChildren();
  for (const [contest, ids] of Object.entries(marks)) {
    const li = document.createElement('li');
    const marks = ids.length ? ids.map((id) => labelOf(contest, id)).join('، ') : msg('blank');
    li.textContent = `${titleOf(contest)}: ${marks}`;
    list.append(li);
  }
}

async function cast() {
  if (!encrypted || !credential) return;
  const errorLine = document.getElementById('cast-error');
  errorLine.textContent = msg('casting');
  castButton.disabled = true;
  let entry;
  try {
    entry = JSON.parse(cast_ballot(credential, JSON.stringify(encrypted)));
  } catch (e) {
    errorLine.textContent = `${msg('castBad')}: ${e.message || e}`;
    castButton.disabled = false;
    return;
  }
  let answer;
  let body = {};
  try {
    answer = await fetch('/cast', {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: unhex(entry.envelope),
    });
    body = await answer.json().catch(() => ({}));
  } catch (e) {
    errorLine.textContent = `${msg('castBad')}: ${e.message || e}`;
    castButton.disabled = false;
    return;
  }
  if (String(body.detail || '').startsWith('polls_closed')) {
    // remote voting is over: say so plainly, in the page's language
    errorLine.textContent = msg('castClosed');
    castButton.disabled = true;
    return;
  }
  if (!answer.ok || body.tracking_code !== entry.tracking_code) {
    errorLine.textContent = `${msg('castBad')}: ${body.error || answer.status}`;
    castButton.disabled = false;
    return;
  }
  errorLine.textContent = '';
  encrypted = null; // cast: the opening is discarded
  document.getElementById('cast-code').textContent = entry.tracking_code;
  document.getElementById('cast-receipt').href = `/${lang}/receipt?code=${entry.tracking_code}`;
  review.hidden = true;
  castDone.hidden = false;
  document.getElementById('cast-heading').focus();
}

async function start() {
  await init();
  setup = await (await fetch('/booth/setup.json')).json();
  form.hidden = false;
  document.getElementById('booth-loading').hidden = true;
  const file = document.getElementById('credential');
  if (file) {
    file.addEventListener('change', () => {
      if (file.files && file.files[0]) signIn(file.files[0]).catch((e) => error(String(e.message || e)));
    });
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    error('');
    const seed = new Uint8Array(32);
    crypto.getRandomValues(seed);
    const choices = chosen();
    try {
      const out = credential
        ? encrypt_ballot_with_credential(JSON.stringify(setup), JSON.stringify(choices), hex(seed), credential)
        : encrypt_ballot(JSON.stringify(setup), JSON.stringify(choices), hex(seed));
      encrypted = JSON.parse(out);
    } catch (e) {
      error(String(e.message || e));
      return;
    }
    seed.fill(0);
    document.getElementById('code').textContent = encrypted.code;
    showList('review-choices', choices);
    document.getElementById('ciphertexts').textContent = encrypted.contests
      .map((c) => c.selections.map((s) => `${c.contest}/${s.id}: ${s.ciphertext}`).join('\n'))
      .join('\n');
    document.getElementById('cast-error').textContent = '';
    castButton.disabled = !credential;
    form.hidden = true;
    opened.hidden = true;
    castDone.hidden = true;
    review.hidden = false;
    document.getElementById('review-heading').focus();
  });
  castButton.addEventListener('click', () => {
    cast().catch((e) => {
      document.getElementById('cast-error').textContent = `${msg('castBad')}: ${e.message || e}`;
    });
  });
  document.getElementById('challenge').addEventListener('click', () => {
    let marks;
    try {
      marks = JSON.parse(check_opening(JSON.stringify(setup), JSON.stringify(encrypted)));
    } catch (e) {
      document.getElementById('opened-result').textContent = `✘ ${msg('openBad')}: ${e.message || e}`;
      opened.hidden = false;
      return;
    }
    showList('opened-choices', marks);
    document.getElementById('opened-result').textContent = `✔ ${msg('openOk')}`;
    document.getElementById('opened-code').textContent = encrypted.code;
    encrypted = null; // a challenged ballot is spoiled: the voter votes again
    review.hidden = true;
    opened.hidden = false;
    document.getElementById('opened-heading').focus();
  });
  document.getElementById('again').addEventListener('click', () => {
    opened.hidden = true;
    form.hidden = false;
    form.reset();
    form.querySelector('input')?.focus();
  });
}

start().catch((e) => {
  error(`${msg('unavailable')} (${e.message || e})`);
  document.getElementById('booth-loading').hidden = true;
});
