#!/usr/bin/env node
'use strict';
// Entry point of the `coach` command: runs the built CLI in plain Node.
const fs = require('node:fs');
const path = require('node:path');

const cli = path.join(__dirname, '..', 'out', 'main', 'cli.js');
if (!fs.existsSync(cli)) {
  process.stderr.write(
    'coach: Coach is not built yet. Run "npm run build" in ' + path.dirname(__dirname) + ' first.\n',
  );
  process.exit(1);
}
require(cli);
