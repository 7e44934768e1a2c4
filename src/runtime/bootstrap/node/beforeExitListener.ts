// The single action the runtime takes when the event loop runs dry ('beforeExit'): that is how
// callbackWaitsForEmptyEventLoop waits, and how a handler that never answered is detected.
const noop = () => {};
let listener: () => void = noop;

export const beforeExitListener = {
  install: () => process.on('beforeExit', () => listener()),
  set: (action: () => void) => (listener = action),
  reset: () => (listener = noop),
};
