#!/usr/bin/env node
// The CLI ships as one bundle (like the actions), so it runs without TypeScript tooling.
import '../dist/cli.js';
