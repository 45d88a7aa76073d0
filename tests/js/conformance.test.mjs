import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as hearth from '../../pkg/node.js';
import { runGrowthBookCases } from './growthbook-cases.mjs';

test('all 517 GrowthBook SDK cases pass through the Wasm build in Node', () => {
  const { total, failures } = runGrowthBookCases(hearth);
  assert.equal(total, 517);
  assert.deepEqual(failures, []);
});
