import { selectBackend } from './src-main/engine/backend';
const t0 = performance.now();
const c = await selectBackend({ exclude: ['tensorflow-gpu', 'tensorflow'] });
console.log(c.name, JSON.stringify(c.rejected), c.adapter, c.parity, Math.round(performance.now() - t0), 'ms');
