// The receipt page, where JavaScript runs: the tracking code is recomputed in the browser by
// sanduq's crypto core (WebAssembly) from the ballot the record holds, without trusting the
// server's answer. Strings come from the page, in its language.
import init, { confirmation_code } from '/booth/pkg/sanduq_booth_wasm.js';

const row = document.getElementById('browser-check');
async function check() {
  await init();
  const d = await (await fetch(`/receipt-data/${row.dataset.code}`)).json();
  const again = confirmation_code(d.fingerprint, d.device, d.prev_code, d.ballot);
  const ok = again === row.dataset.code;
  document.getElementById('browser-result').textContent = ok ? row.dataset.ok : row.dataset.bad;
  row.classList.add(ok ? 'ok' : 'bad');
  row.hidden = false;
}
if (row) check();
