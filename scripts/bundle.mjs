#!/usr/bin/env node
// Assembles the two shipped files from the wasm-bindgen output:
//   dist/ketamine-planner.d.ts  types of the API and the element (www/ketamine-planner.d.ts)
//   dist/ketamine-planner.js    one classic script: the element modules of www/element/ bundled by esbuild (wasm, CSS and glue inside),
//                               in one IIFE
//   dist/ketamine-planner.html  one self-contained page that inlines that script
//   dist/library-review.html    the protocol library review page (www/review/), self-contained too
//
// usage: node scripts/bundle.mjs --glue <no-modules glue .js> --wasm <.wasm> [--out dist] [--minify]
//   --minify  minifies the script and its CSS with esbuild (npm devDependency)
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--')
    ? [...acc, [a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : true]] : acc), [])
);
if (!args.glue || !args.wasm) {
  console.error('usage: node scripts/bundle.mjs --glue <glue.js> --wasm <file.wasm> [--out dist]');
  process.exit(2);
}
const out = resolve(root, args.out || 'dist');

const cargo = readFileSync(join(root, 'Cargo.toml'), 'utf8');
const version = (cargo.match(/^version\s*=\s*"([^"]+)"/m) || [])[1] || '0.0.0';
const glue = readFileSync(resolve(args.glue), 'utf8');
if (!/\bwasm_bindgen\b/.test(glue) || /^\s*export\s/m.test(glue)) {
  throw new Error(`${args.glue} does not look like wasm-bindgen --target no-modules output`);
}
const wasm = readFileSync(resolve(args.wasm));
// The shipped rate and PK cases (data/reference-*.json) are computed with
// data/library.json: the self-test runs them only when that library is in use
// (a clinic's, built in with KP_LIBRARY or loaded, runs its own cases).
const referenceSha256 = createHash('sha256').update(readFileSync(join(root, 'data/library.json'))).digest('hex');
if (wasm.readUInt32LE(0) !== 0x6d736100) throw new Error(`${args.wasm} is not a wasm module`);
let css = readFileSync(join(root, 'www/planner.css'), 'utf8');
const esbuild = await import('esbuild');
if (args.minify) css = (await esbuild.transform(css, { loader: 'css', minify: true, target: 'chrome100' })).code;

// The wasm is LZMA-compressed (xz, the reference encoder), then base64:
// base64 of compressed bytes is smaller raw and gzipped than base64 of the
// module. LZMA packs it about 11 KB smaller than the best gzip stream
// (zopfli), which the page needed for the course record's review; the price
// is a decoder of our own (www/element/lzma.js, about 20 ms on the way to the
// first plan), since the browser's DecompressionStream has only gzip. xz
// writes "size unknown" in the header; the exact length goes there instead,
// so the decoder allocates the output once and stops at its end. lc=4, pb=0
// (more literal context, no position bits): wasm code has no 2- or 4-byte
// alignment to model, and the stream is about 250 bytes smaller (measured).
const lzma = execFileSync('xz', ['--format=lzma', '--lzma1=preset=9e,lc=4,pb=0', '--stdout'], { input: wasm, maxBuffer: 64 << 20 });
lzma.writeUInt32LE(wasm.length, 5);
lzma.writeUInt32LE(0, 9);
const packed = lzma.toString('base64');

// The packed module comes first in the script (engine.js imports it first):
// GNU gzip -9 ends a block every 4,096 symbols only while the text compresses
// well, so a block that reaches the base64 runs on into it for up to 32 K
// symbols with one Huffman code for both. After the 9 KB of the glue that
// cost 1.4 KB of the page at some glue lengths and not at others (measured
// by padding: 150,611 against 149,208 bytes 64 bytes further on); first in
// the script the page varies by under 200 bytes with what follows.
// The element's modules (www/element/) are bundled by esbuild into one classic
// script. Three modules are made here: kp:glue (the wasm-bindgen glue, which
// is a script, with an export added), kp:wasm (the packed module) and kp:css.
const virtual = {
  'kp:glue': `${glue}\nexport default wasm_bindgen;\n`,
  'kp:wasm': `export default ${JSON.stringify(packed)};`,
  'kp:css': `export default ${JSON.stringify(css)};`,
};
const plugin = {
  name: 'kp-virtual',
  setup(build) {
    build.onResolve({ filter: /^kp:/ }, (a) => ({ path: a.path, namespace: 'kp' }));
    build.onLoad({ filter: /.*/, namespace: 'kp' }, (a) => ({ contents: virtual[a.path], loader: 'js' }));
  },
};
/** One entry module and what it imports, bundled into a classic script body. */
async function bundle(entry) {
  const built = await esbuild.build({
    entryPoints: [join(root, entry)],
    bundle: true, write: false, format: 'iife', target: 'es2022', charset: 'utf8',
    minify: !!args.minify, legalComments: 'none', plugins: [plugin],
    define: { KP_BUILD_VERSION: JSON.stringify(version), KP_REFERENCE_LIBRARY_SHA256: JSON.stringify(referenceSha256) },
  });
  return built.outputFiles[0].text;
}

// Included twice? The first copy already defined everything: keep it.
let js = `/*! Ketamine Infusion Planner ${version}. Calculation aid for clinicians planning subanaesthetic ketamine infusions; verify every value. MIT licence. */
(function () {
'use strict';
if (typeof window === 'undefined') return;
if (window.KetaminePlanner && window.customElements && window.customElements.get('ketamine-planner')) return;
${await bundle('www/element/index.js')}
})();
`;

const sha = (s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** An offline page: `template` (www/) with `script` inlined, under a CSP that
 * allows that script (by hash), its one <style> (by hash) and wasm
 * compilation, and no connection of any kind. */
function offlinePage(template, script) {
  // The script is inlined in the HTML, so it must not close the <script>.
  const inline = script.replace(/<\/(script)/gi, '<\\/$1');
  const page = readFileSync(join(root, template), 'utf8');
  const styleMatch = page.match(/<style>([\s\S]*?)<\/style>/);
  const csp = [
    "default-src 'none'",
    `script-src ${sha(inline)} 'wasm-unsafe-eval'`,
    `style-src ${styleMatch ? sha(styleMatch[1]) : "'none'"}`,
    "img-src data: blob:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  if (!page.includes('<!--KP_SCRIPT-->') || !page.includes('__KP_CSP__')) throw new Error(`${template} lacks its placeholders`);
  return page
    .replace('__KP_CSP__', csp)
    .replace(/__KP_VERSION__/g, version)
    .replace('<!--KP_SCRIPT-->', () => `<script>${inline}</script>`);
}
const html = offlinePage('www/offline.html', js);
// The pharmacists' review page (www/review/): the same engine, its own view.
const review = offlinePage('www/review.html', `(function () {\n'use strict';\n${await bundle('www/review/review.js')}\n})();\n`);

mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'ketamine-planner.js'), js);
writeFileSync(join(out, 'ketamine-planner.html'), html);
writeFileSync(join(out, 'library-review.html'), review);
// The integrators' types, as written (tests/browser/api.test.mjs checks them against the engine).
writeFileSync(join(out, 'ketamine-planner.d.ts'), readFileSync(join(root, 'www/ketamine-planner.d.ts')));

// zlib's level 9 here; scripts/size.sh and bench.sh give the gzip -9 figures.
const n = (b) => `${b.length.toLocaleString('en-US')} bytes`;
console.log(`bundle: wasm ${n(wasm)} -> dist/ketamine-planner.js ${n(js)} (zlib -9 ${n(gzipSync(js, { level: 9 }))}), ` +
  `dist/ketamine-planner.html ${n(html)} (zlib -9 ${n(gzipSync(html, { level: 9 }))})`);
