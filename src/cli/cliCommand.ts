// The shape of one `lambda-lab` subcommand; main.ts dispatches to these.

export interface CliIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
  cwd: string;
}

export interface CliCommand {
  name: string;
  /** One line for `lambda-lab --help`. */
  summary: string;
  /** Full `lambda-lab NAME --help` text. */
  usage: string;
  /** Exit code: 0 success, 1 function error, 2 usage/template error (see README). */
  run(args: string[], io: CliIO): Promise<number>;
}

/** A usage mistake: main prints the message and the command's usage, exits 2. */
export class UsageError extends Error {}
