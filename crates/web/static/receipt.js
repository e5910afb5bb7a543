// The receipt page, where JavaScript runs: the check is made again in the browser by
// sanduq's crypto core (WebAssembly), without trusting the server's answer. For a ballot of
// the record, the tracking code is recomputed from the ballot the record holds; for an entry
// of the bulletin board, the board's receipt (entry, inclusion proof, co-signed checkpoint)
// is verified against the log and witness keys. Strings come from the page, in its language.
import init, { confirmation_code, verify_receipt } from '/booth/pkg/sanduq_booth_wasm.js';

function show(row, cell, ok, detail) {
  const td = document.getElementById(cell);
  td.textContent = ok ? row.dataset.ok : row.dataset.bad;
  if (detail) {
    // the technical reason reads left to right inside a right-to-left page
    const why = document.createElement('code');
    why.dir = 'ltr';
    why.textContent = detail;
    td.append(' ', why);
  }
  row.classList.add(ok ? 'ok' : 'bad');
  row.dataset.verified = ok ? 'yes' : 'no';
  row.hidden = false;
}

async function checkRecord(row) {
  const d = await (await fetch(`/receipt-data/${row.dataset.code}`)).json();
  const again = confirmation_code(d.fingerprint, d.device, d.prev_code, d.ballot);
  show(row, 'browser-result', again === row.dataset.code);
}

async function checkBoard(row) {
  const answer = await fetch(`/board/proof/${row.dataset.code}`);
  if (!answer.ok) {
    show(row, 'board-browser-result', false, `${answer.status}`);
    return;
  }
  const receipt = await answer.text();
  let c;
  try {
    c = JSON.parse(verify_receipt(receipt, row.dataset.code, row.dataset.logKey, row.dataset.witnesses,
      Number(row.dataset.quorum), Date.now() / 1000));
  } catch (e) {
    show(row, 'board-browser-result', false, String(e.message || e));
    return;
  }
  show(row, 'board-browser-result', c.ok, c.ok ? '' : c.error);
}

async function main() {
  const record = document.getElementById('browser-check');
  const board = document.getElementById('board-browser');
  if (!record && !board) return;
  await init();
  if (record) await checkRecord(record);
  if (board) await checkBoard(board);
}
main().catch((e) => {
  for (const [rowId, cell] of [['browser-check', 'browser-result'], ['board-browser', 'board-browser-result']]) {
    const row = document.getElementById(rowId);
    if (row) show(row, cell, false, String(e.message || e));
  }
});
