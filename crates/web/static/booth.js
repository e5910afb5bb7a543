// The voting booth: the ballot is encrypted here, in the browser, by sanduq's crypto core
// compiled to WebAssembly; the server never sees the plaintext. Strings come from the page
// (data-* attributes, in the page's language).
import init, { encrypt_ballot, check_opening } from '/booth/pkg/sanduq_booth_wasm.js';

const root = document.getElementById('booth');
const form = document.getElementById('ballot-form');
const review = document.getElementById('review');
const opened = document.getElementById('opened');
const msg = (k) => root.dataset[k] || '';
let setup = null;
let encrypted = null;

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
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

async function start() {
  await init();
  setup = await (await fetch('/booth/setup.json')).json();
  form.hidden = false;
  document.getElementById('booth-loading').hidden = true;
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const seed = new Uint8Array(32);
    crypto.getRandomValues(seed);
    const choices = chosen();
    try {
      encrypted = JSON.parse(encrypt_ballot(JSON.stringify(setup), JSON.stringify(choices), hex(seed)));
    } catch (e) {
      document.getElementById('booth-error').textContent = String(e.message || e);
      return;
    }
    seed.fill(0);
    document.getElementById('code').textContent = encrypted.code;
    const list = document.getElementById('review-choices');
    list.replaceChildren();
    for (const [contest, ids] of Object.entries(choices)) {
      const li = document.createElement('li');
      li.textContent = ids.length ? ids.map((id) => labelOf(contest, id)).join('، ') : msg('blank');
      list.append(li);
    }
    document.getElementById('ciphertexts').textContent = encrypted.contests
      .map((c) => c.selections.map((s) => `${c.contest}/${s.id}: ${s.ciphertext}`).join('\n'))
      .join('\n');
    form.hidden = true;
    opened.hidden = true;
    review.hidden = false;
    document.getElementById('review-heading').focus();
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
    const list = document.getElementById('opened-choices');
    list.replaceChildren();
    for (const [contest, ids] of Object.entries(marks)) {
      const li = document.createElement('li');
      li.textContent = ids.length ? ids.map((id) => labelOf(contest, id)).join('، ') : msg('blank');
      list.append(li);
    }
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
  document.getElementById('booth-error').textContent = `${msg('unavailable')} (${e.message || e})`;
  document.getElementById('booth-loading').hidden = true;
});
