// Lambda's runtime identifiers with the deprecation dates AWS publishes
// (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html), and whether this
// machine's Lambda Lab can run them (the runtime's own answer).
import { unsupportedRuntimeReason } from '../runtime/template/supportedRuntimes';

/** Identifier → deprecation date (UTC, yyyy-mm-dd) as AWS lists it. */
const DEPRECATION: Record<string, string> = {
  'nodejs24.x': '2028-04-30',
  'nodejs22.x': '2027-04-30',
  'nodejs20.x': '2026-04-30',
  'nodejs18.x': '2025-09-01',
  'nodejs16.x': '2024-06-12',
  'nodejs14.x': '2023-12-04',
  'nodejs12.x': '2023-03-31',
  'nodejs10.x': '2021-07-30',
  'python3.14': '2029-06-30',
  'python3.13': '2029-06-30',
  'python3.12': '2028-10-31',
  'python3.11': '2026-06-30',
  'python3.10': '2026-06-30',
  'python3.9': '2025-12-15',
  'python3.8': '2024-10-14',
  'python3.7': '2023-12-04',
  java25: '2029-06-30',
  java21: '2029-06-30',
  java17: '2026-06-30',
  java11: '2026-06-30',
  'java8.al2': '2026-06-30',
  java8: '2024-01-08',
  dotnet8: '2026-11-10',
  dotnet6: '2024-11-12',
  'ruby3.4': '2028-03-31',
  'ruby3.3': '2027-03-31',
  'ruby3.2': '2026-03-31',
  'ruby2.7': '2023-11-27',
  'provided.al2023': '2029-06-30',
  'provided.al2': '2026-06-30',
  provided: '2024-01-08',
  'go1.x': '2024-01-08',
};

/** Runtimes Lambda currently accepts for new functions, newest first per language (completion order). */
export const LAMBDA_RUNTIMES = [
  'nodejs24.x',
  'nodejs22.x',
  'nodejs20.x',
  'python3.14',
  'python3.13',
  'python3.12',
  'python3.11',
  'python3.10',
  'java25',
  'java21',
  'java17',
  'java11',
  'java8.al2',
  'dotnet8',
  'ruby3.4',
  'ruby3.3',
  'ruby3.2',
  'provided.al2023',
  'provided.al2',
];

/** Deprecations announced within this many days get an information note. */
const SOON_DAYS = 180;

export interface RuntimeStatus {
  known: boolean;
  deprecation?: string;
  deprecated: boolean;
  deprecatedSoon: boolean;
  /** Why Lambda Lab can't run it here, if it can't. */
  localProblem?: string;
}

export function runtimeStatus(runtime: string, now = new Date()): RuntimeStatus {
  const deprecation = DEPRECATION[runtime];
  const time = deprecation ? Date.parse(`${deprecation}T00:00:00Z`) : undefined;
  const localProblem = unsupportedRuntimeReason(runtime);
  return {
    known: deprecation !== undefined,
    ...(deprecation ? { deprecation } : {}),
    deprecated: time !== undefined && time <= now.getTime(),
    deprecatedSoon: time !== undefined && time > now.getTime() && time - now.getTime() < SOON_DAYS * 86_400_000,
    ...(localProblem ? { localProblem } : {}),
  };
}

/** One line per fact, for hover and completion documentation. */
export function describeRuntime(runtime: string, now = new Date()): string[] {
  const s = runtimeStatus(runtime, now);
  const lines: string[] = [];
  if (!s.known) lines.push(`${runtime} is not a runtime Lambda knows.`);
  else if (s.deprecated)
    lines.push(
      `Deprecated by AWS on ${s.deprecation}: no security patches; Lambda later blocks creating and then updating functions with it.`,
    );
  else lines.push(`Supported by AWS until ${s.deprecation}.`);
  lines.push(s.localProblem ? `Not runnable in Lambda Lab: ${s.localProblem}.` : 'Runs in Lambda Lab.');
  return lines;
}
