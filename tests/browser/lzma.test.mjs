// The engine's LZMA decoder (www/element/lzma.js), in Node: whatever xz
// packs, it gives back byte for byte; a damaged stream throws or decodes to
// other bytes (which the wasm's validation then refuses), and never hangs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { lzmaDecode } from '../../www/element/lzma.js';

/** As scripts/bundle.mjs packs the wasm: xz's .lzma with the exact length in the header. */
function pack(bytes) {
  const z = execFileSync('xz', ['--format=lzma', '--lzma1=preset=9e', '--stdout'], { input: bytes, maxBuffer: 64 << 20 });
  z.writeUInt32LE(bytes.length, 5);
  z.writeUInt32LE(0, 9);
  return z;
}

const inputs = {
  empty: Buffer.alloc(0),
  'one byte': Buffer.from('k'),
  repetitive: Buffer.from('120 mg/h for 4 h; '.repeat(5000)),
  random: randomBytes(50000),
  'the element source': readFileSync(new URL('../../www/element/element.js', import.meta.url)),
};

for (const [name, bytes] of Object.entries(inputs)) {
  test(`lzma: ${name} (${bytes.length} bytes) decodes to the same bytes`, () => {
    assert.deepEqual(Buffer.from(lzmaDecode(pack(bytes))), bytes);
  });
}

test('lzma: a truncated stream, bad properties or an unknown size throw', () => {
  const z = pack(inputs['the element source']);
  assert.throws(() => lzmaDecode(z.subarray(0, z.length >> 1)), /LZMA/);
  const bad = Buffer.from(z); bad[0] = 225;
  assert.throws(() => lzmaDecode(bad), /properties/);
  const unknown = Buffer.from(z); unknown.fill(0xff, 5, 13);
  assert.throws(() => lzmaDecode(unknown), /size/);
});

test('lzma: 200 streams with one flipped bit each end, by an error or with other bytes', () => {
  const source = inputs['the element source'];
  const z = pack(source);
  let changed = 0;
  for (let i = 0; i < 200; i++) {
    const bad = Buffer.from(z);
    const at = 14 + ((i * 7919) % (z.length - 14));
    bad[at] ^= 1 << (i % 8);
    try {
      if (!Buffer.from(lzmaDecode(bad)).equals(source)) changed++;
    } catch (e) {
      assert.match(e.message, /LZMA/);
      changed++;
    }
  }
  assert.ok(changed >= 190, `${changed} of 200 damaged streams noticed`);
});
