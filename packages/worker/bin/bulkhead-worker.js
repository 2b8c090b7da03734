#!/usr/bin/env node
'use strict';
require('../dist/packages/worker/src/bin.js').main(process.argv.slice(2));
