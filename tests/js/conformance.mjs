// `make conformance`, Wasm half: one line per suite, through the npm package.
import * as hearth from '../../pkg/node.js';
import { runGrowthBookCases } from './growthbook-cases.mjs';

const { total, failures } = runGrowthBookCases(hearth);
console.log(`growthbook cases (wasm, node): ${total - failures.length}/${total} passed`);
for (const f of failures.slice(0, 20)) console.log(`  FAIL ${f}`);
process.exitCode = failures.length ? 1 : 0;
