// Module init does real work (builds a lookup table of primes for about INIT_WORK_MS),
// as SDK clients, config loading or model warm-up do. Lambda bills it once per
// environment: the cold invoke reports it as Init Duration, warm invokes reuse the table.
const initStarted = Date.now();
const budgetMs = Number(process.env.INIT_WORK_MS || 150);

function buildPrimeTable(deadline) {
  const primes = [2];
  for (let n = 3; Date.now() < deadline; n += 2) {
    let prime = true;
    for (let i = 0; primes[i] * primes[i] <= n; i++) {
      if (n % primes[i] === 0) {
        prime = false;
        break;
      }
    }
    if (prime) primes.push(n);
  }
  return primes;
}

const primes = buildPrimeTable(initStarted + budgetMs);
const initMs = Date.now() - initStarted;
const environmentStartedAt = new Date().toISOString();
let invocations = 0;

console.log('init: built a table of %d primes in %d ms', primes.length, initMs);

exports.handler = async (event) => {
  invocations += 1;
  const cold = invocations === 1;
  const index = Math.min(Math.max(Number(event.n ?? 1000), 1), primes.length) - 1;
  if (cold) {
    console.info('cold start: this invoke waited for the %d ms init', initMs);
  } else {
    console.info('warm start #%d: table reused', invocations);
  }
  if (event.n > primes.length) {
    console.warn('n=%d is beyond the table (%d primes), clamped', event.n, primes.length);
  }
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      cold,
      invocations,
      initMs,
      environmentStartedAt,
      nthPrime: { n: index + 1, value: primes[index] },
    }),
  };
};
