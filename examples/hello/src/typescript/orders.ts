// A tiny in-memory "database", bundled into app.js by esbuild.
export interface Order {
  id: string;
  customer: string;
  total: number;
  status: 'pending' | 'shipped' | 'delivered';
}

const orders: Order[] = [
  { id: '1001', customer: 'Ada', total: 42.5, status: 'shipped' },
  { id: '1002', customer: 'Grace', total: 17, status: 'pending' },
  { id: '1003', customer: 'Linus', total: 99.99, status: 'delivered' },
];

export function findOrder(id: string): Order | undefined {
  if (id === 'crash') {
    // Lets you see a source-mapped stack trace (it points at this line of orders.ts).
    throw new Error(`order lookup failed for id "${id}"`);
  }
  return orders.find((o) => o.id === id);
}
