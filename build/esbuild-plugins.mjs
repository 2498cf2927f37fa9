// esbuild plugins for the handler bundles (esbuild.config.mjs): leave out the parts of undici that
// never run on Lambda's Node 24, and load libphonenumber's metadata as JSON. The bundles behave
// exactly as the sources do.
// Measured with `npm run bench:coldstart` (README, "Benchmarks").
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

const UNDICI_LIB = /[\\/]node_modules[\\/]undici[\\/]lib[\\/]/;
const LEFT_OUT = 'sms-relay-left-out';
const PLUGIN_FILE = 'build/esbuild-plugins.mjs';
const refuse = (what) =>
  `throw new Error(${JSON.stringify(`undici: ${what} (left out of this bundle by ${PLUGIN_FILE})`)});`;

/**
 * What undici 8 bundles but never runs here, by the module that would load it (lazily, with a
 * literal `require`): [requiring module under undici/lib, specifier, replacement module].
 */
const REPLACED = [
  // The non-SIMD llhttp build: the fallback for a failed SIMD compile (riscv64, old ppc64) or
  // UNDICI_NO_WASM_SIMD=1. x64 and arm64 always compile wasm SIMD.
  [
    'dispatcher/client-h1.js',
    '../llhttp/llhttp-wasm.js',
    refuse(
      'WebAssembly SIMD is unavailable (or UNDICI_NO_WASM_SIMD=1) and only the SIMD llhttp build is bundled',
    ),
  ],
  // FormData bodies. undici takes only its own FormData objects (request.js asks its WebIDL
  // brand check), and nothing here can make one: its FormData class is not bundled and the
  // transport sends strings. So the check answers no, and undici refuses the body as it refuses
  // any foreign FormData; the body encoder behind it is never reached.
  ['core/request.js', '../web/fetch/formdata', ''],
  [
    'core/request.js',
    '../web/webidl',
    'module.exports = { webidl: { is: { FormData: () => false } } };',
  ],
  [
    'dispatcher/client-h1.js',
    '../web/fetch/body.js',
    refuse('FormData request bodies are not supported'),
  ],
  [
    'dispatcher/client-h2.js',
    '../web/fetch/body.js',
    refuse('FormData request bodies are not supported'),
  ],
];

/** A regular expression (for esbuild: Go syntax) matching `text` literally. */
const literal = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const undiciFile = (file) =>
  new RegExp(`${UNDICI_LIB.source}${file.split('/').map(literal).join('[\\\\/]')}$`);

/**
 * undici 8 carries four HTTP/1 response parsers, each a wasm build embedded as base64 (290 KiB):
 * llhttp and the experimental milo, each with and without SIMD. On Node 24 only llhttp's SIMD
 * build runs. milo runs only when asked for (`UNDICI_USE_MILO=1`, the `useMilo` option), and
 * undici leaves it out itself when `esbuildDetection` is defined, which is how Node core bundles
 * undici (`--define:esbuildDetection=1`); otherwise its parser module is even evaluated at import.
 * The rest of what never runs is in REPLACED. The build fails when undici no longer has these
 * switches where expected (an upgrade that moved them), rather than silently bundling it all.
 * @returns {import('esbuild').Plugin}
 */
export function undiciRunningCodeOnly() {
  return {
    name: 'sms-relay:undici-running-code-only',
    setup(build) {
      build.initialOptions.define = { ...build.initialOptions.define, esbuildDetection: '1' };
      for (const [importer, replacements] of Map.groupBy(REPLACED, ([file]) => file)) {
        const importerPath = undiciFile(importer);
        const expected = replacements.map(([, specifier]) => `require('${specifier}')`);
        if (importer === 'dispatcher/client-h1.js') {
          expected.push("typeof esbuildDetection === 'undefined'");
        }
        build.onLoad({ filter: importerPath }, async (args) => {
          const contents = await readFile(args.path, 'utf8');
          const missing = expected.filter((text) => !contents.includes(text));
          if (missing.length === 0) return { contents, loader: 'js' };
          return {
            errors: missing.map((text) => ({
              text: `undici's lib/${importer} no longer has ${text}: review ${PLUGIN_FILE} for this undici version`,
            })),
          };
        });
        for (const [, specifier, contents] of replacements) {
          build.onResolve({ filter: new RegExp(`^${literal(specifier)}$`) }, (args) =>
            importerPath.test(args.importer)
              ? {
                  path: `undici/lib/${importer}: ${specifier}`,
                  namespace: LEFT_OUT,
                  pluginData: contents,
                }
              : undefined,
          );
        }
      }
      build.onLoad({ filter: /.*/, namespace: LEFT_OUT }, (args) => ({
        contents: args.pluginData,
        loader: 'js',
      }));
    },
  };
}

const PHONE_METADATA = /[\\/]node_modules[\\/]libphonenumber-js[\\/]metadata\.\w+\.json\.js$/;

/**
 * libphonenumber-js ships its metadata as a JavaScript object literal (`export default {...}`,
 * 150 KiB for `max`), built at import. The same value as a JSON string given to `JSON.parse` is
 * cheaper to load (V8's JSON parser is faster than its JavaScript parser; v8.dev, "The cost of
 * JavaScript in 2019"): 2% fewer instructions to import sendSms. The value is the package's own,
 * read at build time.
 * @returns {import('esbuild').Plugin}
 */
export function phoneMetadataAsJson() {
  return {
    name: 'sms-relay:phone-metadata-as-json',
    setup(build) {
      build.onLoad({ filter: PHONE_METADATA }, async (args) => {
        const { default: metadata } = await import(pathToFileURL(args.path).href);
        const json = JSON.stringify(metadata);
        return { contents: `export default JSON.parse(${JSON.stringify(json)});`, loader: 'js' };
      });
    },
  };
}
