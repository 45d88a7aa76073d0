// The allow-list every value hearth writes into a page goes through (js/safe.js), as shipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { safeAttr, safeUrl } from '../../pkg/safe.js';

test('URLs are checked against their base', () => {
  for (let i = 0; i < 2; i++) {
    // Twice: nothing from one check leaks into the next.
    assert.equal(safeUrl('/p/x', 'https://shop.example/'), '/p/x', 'relative, on an https page');
    assert.equal(safeUrl('/p/x', 'ftp://files.example/'), null, 'the same value on an ftp page');
    assert.equal(safeUrl('/p/x', undefined), null, 'relative, with no page: not a URL');
    assert.equal(safeUrl(' https://a.example/x ', undefined), 'https://a.example/x', 'trimmed');
    assert.equal(safeUrl('java\tscript:alert(1)', 'https://shop.example/'), null, 'an obfuscated script URL');
    assert.equal(safeAttr('img', 'srcset', '/a.png 1x, data:x 2x', 'https://shop.example/'), null, 'every srcset URL');
  }
  // The same values against two bases, interleaved: each gets its own answer.
  for (let i = 0; i < 3000; i++) {
    const https = i % 2 === 1;
    assert.equal(safeUrl(`/p/${i}`, https ? 'https://s.example/' : 'ftp://f.example/'), https ? `/p/${i}` : null, `value ${i}`);
  }
});
