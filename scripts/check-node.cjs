/**
 * The Node.js version gate in front of `npm start` and `npm test` (package.json): on a Node older
 * than `engines.node` it prints one line saying what is needed and how to get it, and exits 1,
 * instead of the stack trace the TypeScript entry points end in there
 * (`ERR_UNKNOWN_FILE_EXTENSION ".ts"` on Node 20). `npm install` is refused by npm itself on such
 * a Node (`engine-strict` in .npmrc).
 *
 * Plain CommonJS without newer syntax on purpose: it must run on the very Nodes it turns away
 * (Node 12 and 14 included, which know no `node:` specifiers).
 */
// biome-ignore-all lint/style/useNodejsImportProtocol: `node:` specifiers fail on Node 12 and 14.
'use strict';

var fs = require('fs');
var path = require('path');

var required = 24;
var engines = {};
try {
  engines =
    JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).engines || {};
} catch (_) {
  // keep the default
}
var match = /(\d+)/.exec(engines.node || '');
if (match) required = Number(match[1]);

var found = process.versions.node;
if (!(Number(found.split('.')[0]) >= required)) {
  process.stderr.write(
    `sms-relay needs Node.js ${required} (found v${found}): nvm install ${required}, or see README "Quickstart"\n`,
  );
  process.exit(1);
}
