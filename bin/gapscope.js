#!/usr/bin/env node
// Thin launcher so `npx gapscope` and `npm link` work after `npm run build`.
require('../dist/cli.js');
