// `lambda-lab`: a thin shell over runtime/. Exit 0 success, 1 function error, 2 usage, template
// or build error.
import { BuildError } from '../runtime/build/buildError';
import { TemplateError } from '../runtime/template/templateError';
import { UsageError, type CliCommand, type CliIO } from './cliCommand';
import { executionsCommand } from './executionsCommand';
import { invokeCommand } from './invokeCommand';
import { listCommand } from './listCommand';
import { logsCommand } from './logsCommand';
import { serveCommand } from './serveCommand';

const commands: CliCommand[] = [listCommand, invokeCommand, logsCommand, serveCommand, executionsCommand];

const overview = `lambda-lab — run and debug AWS Lambda functions locally, without Docker

Usage: lambda-lab COMMAND [options]     (lambda-lab COMMAND --help for details)

Commands:
${commands.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join('\n')}
`;

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview);
    return name ? 0 : 2;
  }
  if (name === '--version') {
    io.stdout.write(`${require('../../package.json').version}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`lambda-lab: unknown command "${name}"\n\n${overview}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(args, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr.write(`lambda-lab ${name}: ${err.message}\n\n${command.usage}\n`);
      return 2;
    }
    // Errors the user can fix are printed as compilers print them, without our stack.
    if (err instanceof TemplateError || err instanceof BuildError || (err as { code?: string }).code === 'ENOENT') {
      io.stderr.write(`lambda-lab ${name}: ${(err as Error).message}\n`);
      return 2;
    }
    io.stderr.write(`lambda-lab ${name}: ${(err as Error).stack ?? err}\n`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: process.cwd() }).then((code) => {
    process.exitCode = code;
  });
}
