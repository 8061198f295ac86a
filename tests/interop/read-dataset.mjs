// Reads every .arrow file of a NetflixRec dataset directory with Apache Arrow JS and prints one JSON object:
// for each file (path relative to the dataset), its row and batch counts, and per column the Arrow type, the null
// count, a checksum (sum of the values; total length for strings) and the first few values.
// Usage: node read-dataset.mjs DATASET_DIR [HEAD]
import fs from 'node:fs';
import path from 'node:path';
import { tableFromIPC, compressionRegistry, CompressionType } from 'apache-arrow';
import { decompress } from 'fzstd';

// Arrow JS ships no codecs: register ZSTD (the dataset's compression) with a pure-JS decoder.
compressionRegistry.set(CompressionType.ZSTD, { encode: null, decode: (data) => decompress(data) });

const [dataset, headArg] = process.argv.slice(2);
if (!dataset) {
  console.error('usage: node read-dataset.mjs DATASET_DIR [HEAD]');
  process.exit(2);
}

const head = Number(headArg ?? 5);

function arrowFiles(dir, prefix = '') {
  return fs.readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => entry.isDirectory()
      ? arrowFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`)
      : entry.name.endsWith('.arrow') ? [`${prefix}${entry.name}`] : []);
}

function plain(value) {
  return typeof value === 'bigint' ? Number(value) : value;
}

function describe(table) {
  const columns = {};
  for (const field of table.schema.fields) {
    const vector = table.getChild(field.name);
    let checksum = 0;
    let nulls = 0;
    const first = [];
    for (let i = 0; i < vector.length; i++) {
      const value = plain(vector.get(i));
      if (value === null || value === undefined) {
        nulls++;
      } else {
        checksum += typeof value === 'string' ? value.length : value;
      }

      if (i < head) {
        first.push(value ?? null);
      }
    }

    columns[field.name] = { type: String(field.type), nulls, checksum, head: first };
  }

  return columns;
}

const files = {};
for (const file of arrowFiles(dataset)) {
  const table = tableFromIPC(fs.readFileSync(path.join(dataset, file)));
  files[file] = { rows: table.numRows, batches: table.batches.length, columns: describe(table) };
}

console.log(JSON.stringify({ reader: 'apache-arrow', files }));
