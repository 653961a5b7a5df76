// examples/node/erp_client.js: the same pattern as examples/erp_client.py,
// with node-postgres (npm install pg).  Against the table that
// `python3 examples/erp_client.py --setup` creates; connects with the usual
// libpq variables (PGHOST, PGPORT, PGDATABASE, PGUSER).
//
//   node examples/node/erp_client.js
//
// An INSERT the schedule cannot back fails with SQLSTATE SC001; the first
// line of its DETAIL is "earliest backed date: YYYY-MM-DD (bottleneck: CODE)".
const { Client } = require('pg');

const EARLIEST = /^earliest backed date: (\d{4}-\d{2}-\d{2}) \(bottleneck: ([^)]*)\)/;

// Insert one order line; null when accepted, else { earliest, bottleneck }
// (earliest null: nothing within the horizon).
async function insertLine(client, line) {
  try {
    await client.query(
      'INSERT INTO shop.order_line (line_no, customer, sku, units, due) VALUES ($1, $2, $3, $4, $5)',
      [line.lineNo, line.customer, line.sku, line.units, line.due]);
    return null;
  } catch (err) {
    if (err.code !== 'SC001') throw err;
    const m = EARLIEST.exec(err.detail || '');
    return { earliest: m ? m[1] : null, bottleneck: m ? m[2] : null };
  }
}

async function main() {
  const client = new Client();            // PGHOST, PGPORT, PGDATABASE, ...
  await client.connect();
  const { rows } = await client.query(
    "SELECT (sacrosanct.today() + 1)::text AS tomorrow");
  const line = { lineNo: 'N-1', customer: 'Echo Outlets', sku: 'DISPLAY', units: 480,
                 due: rows[0].tomorrow };
  console.log(`${line.lineNo} ${line.customer}: ${line.units} x ${line.sku} for ${line.due}`);
  const refused = await insertLine(client, line);
  if (refused === null) {
    console.log(`    accepted for ${line.due}`);
  } else if (refused.earliest === null) {
    console.log('    refused (SC001): no date within the horizon');
  } else {
    console.log(`    refused (SC001): the schedule backs ${refused.earliest} at the earliest, ` +
                `bottleneck ${refused.bottleneck}`);
    line.due = refused.earliest;          // offered to the customer, who takes it
    if (await insertLine(client, line) === null) console.log(`    accepted for ${line.due}`);
  }
  await client.end();
}

main().catch((err) => { console.error(err.message); process.exit(1); });
