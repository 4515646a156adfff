#!/usr/bin/env node
import { main } from './main.js';

/** How long a process whose command is done may take to exit by itself before it is made to (a user module may hold a server open). */
const EXIT_GRACE_MS = 5_000;

const code = await main(process.argv);
process.exitCode = code;
setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
