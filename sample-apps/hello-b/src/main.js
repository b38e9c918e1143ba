import { readConfig } from './config.js';
import { createLogger, createService } from './server.js';

const log = createLogger();
let config;
try {
  config = readConfig(process.env);
} catch (error) {
  log('error', 'invalid configuration', { error: error.message });
  process.exit(2);
}

const service = createService(config, log);
const port = await service.listen();
log('info', 'listening', {
  port,
  host: config.host,
  color: config.color,
  commit: config.commit,
  helloAUrl: config.helloAUrl,
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, async () => {
    const clean = await service.shutdown(signal);
    log('info', 'exiting', { code: clean ? 0 : 1 });
    process.exit(clean ? 0 : 1);
  });
}
