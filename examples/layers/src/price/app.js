// `money` is not in this function's code: it resolves from the SharedLayer layer.
const money = require('money');

exports.handler = async (event) => {
  const items = event.items ?? [];
  const cents = items.reduce((sum, item) => sum + item.priceCents * (item.quantity ?? 1), 0);
  console.info('priced %d items from the layer module at %s', items.length, require.resolve('money'));
  return { total: money.format(cents), items: items.length };
};
