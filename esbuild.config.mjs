// esbuild options for serverless-esbuild (referenced by `custom.esbuild.config` in serverless.yml).
//
// How this file gets loaded: serverless-esbuild 1.57.2 does `require(<this file>)(serverless)`
// and, unlike for `plugins`, does not unwrap an ES module's `default`. Node can
// `require()` an ES module (require(esm), on by default since Node 20.19 / 22.12; no top-level
// await allowed here!) and returns the module namespace, unless the module exports the special
// name 'module.exports': then `require()` returns that value. So the function is exported under
// 'module.exports' (for serverless-esbuild) and as `default` (for anything that `import()`s it).
// `.ci/run` proves it is used: every bundle must start with BANNER_MARKER.

import { phoneMetadataAsJson, undiciRunningCodeOnly } from './build/esbuild-plugins.mjs';

/** Marker written at the top of every bundle; `.ci/run` checks it to prove this file was used. */
export const BANNER_MARKER = '/* sms-relay:esbuild.config.mjs */';

/**
 * @param {unknown} _serverless the Serverless instance (unused)
 * @returns {Record<string, unknown>} serverless-esbuild options (esbuild options + plugin options)
 */
export function esbuildConfig(_serverless) {
  return {
    bundle: true,
    minify: true,
    // Linked source map (`.mjs.map` beside the bundle + `//# sourceMappingURL`), read by Node
    // because serverless.yml sets NODE_OPTIONS=--enable-source-maps. Without sourcesContent the
    // map only carries positions: stack traces point at the .ts lines, the zip stays small.
    sourcemap: 'linked',
    sourcesContent: false,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    outputFileExtension: '.mjs',
    mainFields: ['module', 'main'],
    // ESM output has no `require`; some CJS dependencies call it for Node built-ins.
    banner: {
      js: [
        BANNER_MARKER,
        "import { createRequire as __smsRelayCreateRequire } from 'node:module';",
        'const require = __smsRelayCreateRequire(import.meta.url);',
      ].join('\n'),
    },
    // Bundle everything, AWS SDK v3 included: versions are pinned in package.json, not taken from
    // whatever the Lambda runtime ships. (serverless-esbuild's default excludes 'aws-sdk'.)
    external: [],
    exclude: [],
    // Leave out the parts of undici that never run here (three of its four HTTP parsers, its
    // FormData support) and load libphonenumber's metadata as JSON (build/esbuild-plugins.mjs).
    plugins: [undiciRunningCodeOnly(), phoneMetadataAsJson()],
    packager: 'npm',
  };
}

export default esbuildConfig;
export { esbuildConfig as 'module.exports' };
