// ES module handler. Init uses top-level await: the runtime waits for it before the
// first invoke, and the result is reused by every warm invoke.
import { readFile } from 'node:fs/promises';

const config = JSON.parse(await readFile(new URL('./config.json', import.meta.url), 'utf8'));
console.log('init: loaded config with features %s', config.features.join(', '));

export const handler = async (event, context) => {
  const order = JSON.parse(event.body ?? '{}');
  const items = Array.isArray(order.items) ? order.items : [];
  if (items.length === 0) {
    console.warn('order without items from %s', event.requestContext?.identity?.sourceIp);
  }
  const net = items.reduce((sum, item) => sum + item.price * (item.quantity ?? 1), 0);
  const total = Math.round(net * (1 + config.taxRate) * 100) / 100;
  console.info({ msg: 'priced order', items: items.length, total, currency: config.currency });
  return {
    statusCode: 201,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ orderId: context.awsRequestId, total, currency: config.currency }),
  };
};
