// Validates an AsyncAPI document with the AsyncAPI parser: prints every diagnostic and exits 1 on an error or a warning.
// Usage: node validate.mjs <document>
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';

const file = resolve(process.argv[2] ?? '../../docs/asyncapi.json');
const { document, diagnostics } = await new Parser().parse(await readFile(file, 'utf8'), { source: file });
const name = Object.fromEntries(Object.entries(DiagnosticSeverity).map(([key, value]) => [value, key]));
for (const d of diagnostics) {
  console.log(`${name[d.severity]} ${d.code} at ${d.path.join('.') || '(root)'}: ${d.message}`);
}
const errors = diagnostics.filter(d => d.severity <= DiagnosticSeverity.Warning).length;
if (!document || errors > 0) {
  console.log(`${file}: invalid (${errors} errors and warnings)`);
  process.exit(1);
}
console.log(`${file}: valid AsyncAPI ${document.version()} (${document.channels().length} channels, ${document.operations().length} operations, ${document.components().messages().length} messages)`);
