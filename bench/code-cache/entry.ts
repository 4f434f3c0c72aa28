// Experiment only (issue 15 part 2): the host bundle as CommonJS with the simulator's root key
// patched into the bundle's own Baileys (what test/wa-sim/trust-sim.ts does for the ESM bundle).
import * as baileys from '@whiskeysockets/baileys';
import '../../session-host/main.js';

const key = process.env.WA_SIM_ROOT_PUBLIC_KEY;
if (key) baileys.WA_CERT_DETAILS.PUBLIC_KEY = Buffer.from(key, 'base64');
