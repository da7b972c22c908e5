/** Starts the real headless server for the e2e specs and prints its one line (with the token). */
import { startServer } from '../../src-main/server';

const dbPath = process.argv[2];
if (!dbPath) throw new Error('usage: serve.ts <database path>');
// E2E_RATE_LIMITS (JSON, e.g. {"database":3}): tiny limits for a spec that hits them.
const limits = process.env.E2E_RATE_LIMITS;
const server = await startServer({
  port: 0,
  databasePath: dbPath,
  ...(limits && { rateLimits: JSON.parse(limits) as Record<string, number> }),
});
console.log(`Orchestration Studio: ${server.url}`);
const stop = () => void server.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
