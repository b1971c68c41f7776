/**
 * The `gapscope` command line: attach, report, list and demo. Results go to stdout; progress,
 * errors and logs go to stderr. Exit codes are in exitCodes.ts (and `gapscope --help`).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { LogLevel, parseLogLevel } from '../core/logger';
import { version } from '../../package.json';
import { runAttach } from './attachCommand';
import type { CliContext } from './context';
import { runDemo } from './demoCommand';
import { EXIT_CODES_HELP, ExitCode } from './exitCodes';
import { runList } from './listCommand';
import { createCliLogger, wantsColor, type CliStreams } from './output';
import { runReport } from './reportCommand';
import { runServe } from './serve';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'off'];

const ATTACH_EXAMPLES = `
Examples:
  gapscope attach 4242 --duration 10
  gapscope attach 127.0.0.1:9229 --json > analysis.json
`;

const SERVE_NOTES = `
A --port already in use (or not allowed) is a usage error: one line, exit 2.
`;

const OUT_NOTES = `
--out is checked before attaching: a folder, a special file or a path whose folders are missing
is refused (exit 2). Gapscope creates only the last folder of the path you name (out/ for
out/x.gapscope.json) and, by default, .gapscope/ in the current directory. If saving fails after
the capture, the session is saved in the temporary folder instead (the path is printed) and the
report is printed anyway.
`;

/** Parses argv (as process.argv), runs the command and returns its exit code. */
export async function main(argv: readonly string[], streams: CliStreams): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const program = buildProgram(streams, code => (exitCode = code));
  try {
    await program.parseAsync([...argv]);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;

    // Help and --version end through here too, with exit code 0.
    if (error.exitCode === 0) return ExitCode.Ok;
    streams.stderr.write(`hint: ${usageHint(program, argv)}\n`);
    return ExitCode.Usage;
  }
  return exitCode;
}

/** The usage line of the command the user typed (or of gapscope), for a usage error. */
function usageHint(program: Command, argv: readonly string[]): string {
  const typed = argv.slice(2).find(word => !word.startsWith('-'));
  const command = program.commands.find(candidate => candidate.name() === typed);
  if (!command) return 'Commands: attach, report, list, demo, serve (see `gapscope --help`).';
  const name = command.name();
  return `Usage: gapscope ${name} ${command.usage()} (see \`gapscope ${name} --help\`).`;
}

function buildProgram(streams: CliStreams, setExitCode: (code: number) => void): Command {
  const program = new Command('gapscope')
    .description('Per-request CPU profiler for Node.js services: hot lines and untraced gaps.')
    .version(version, '-V, --version')
    .addOption(
      new Option('--log-level <level>', 'log detail on stderr').choices(LOG_LEVELS).default('warn'),
    )
    .option('--no-color', 'plain text even on a terminal')
    .addHelpText('after', `\n${EXIT_CODES_HELP}\n`)
    .configureOutput({
      writeOut: text => streams.stdout.write(text),
      writeErr: text => streams.stderr.write(text),
    })
    .exitOverride();

  const context = (): CliContext => {
    const global = program.opts<{ logLevel: string; color: boolean }>();
    return {
      streams,
      logger: createCliLogger(streams, parseLogLevel(global.logLevel, LogLevel.Warn)),
      color: wantsColor(streams.stdout, global.color),
      cwd: process.cwd(),
    };
  };

  program
    .command('attach')
    .description('attach to a running Node service, capture, detach and print the report')
    .argument('<target>', 'a pid, an inspector address (127.0.0.1:9229) or a ws:// URL')
    .option('-d, --duration <seconds>', 'stop after this many seconds (default: Ctrl-C)', positive)
    .option(
      '-i, --interval <us>',
      'sampling interval in microseconds, 50 to 100000 (default 10000)',
      positive,
    )
    .addOption(
      new Option(
        '--tracking <mode>',
        'async tracking: windows (cheap) or waits (finer, costlier)',
      ).choices(['windows', 'waits']),
    )
    .option('--waits', 'track async waits: hashing, sockets, fs, dns, timers (--tracking waits)')
    .option('--json', 'print the analysis as JSON instead of the text report')
    .option('-o, --out <file>', 'save the session here (default .gapscope/pid<PID>-<time>…)')
    .option('--allow-remote', 'allow an inspector address that is not loopback')
    .addHelpText('after', ATTACH_EXAMPLES + OUT_NOTES)
    .action(async (target: string, options) =>
      setExitCode(await runAttach(target, options, context())),
    );

  program
    .command('report')
    .description('print the report of a saved session file, without the target')
    .argument('<file>', 'a session file written by attach --out or the demo')
    .option('--json', 'print the analysis as JSON instead of the text report')
    .action(async (file: string, options) =>
      setExitCode(await runReport(file, options, context())),
    );

  program
    .command('list')
    .description('list running Node processes: pid, command line, cwd, inspector state, ports')
    .option('--json', 'print the list as JSON')
    .action(async options => setExitCode(await runList(options, context())));

  program
    .command('demo')
    .description('start the demo login service, profile it under real load, print the report')
    .option('-d, --duration <seconds>', 'seconds of load (default 8)', positive)
    .option('--json', 'print the analysis as JSON instead of the text report')
    .option(
      '-o, --out <file>',
      'save the session here (default .gapscope/demo-session.gapscope.json)',
    )
    .addHelpText('after', OUT_NOTES)
    .action(async options => setExitCode(await runDemo(options, context())));

  program
    .command('serve')
    .description('show the timeline of a session file (or a live target) as a page on 127.0.0.1')
    .argument('[file]', 'a session file written by attach --out or the demo')
    .option('--attach <target>', 'attach to a pid, 127.0.0.1:9229 or ws:// URL and serve it live')
    .option('-p, --port <port>', 'port on 127.0.0.1 (default 0: a free port, printed)')
    .addHelpText('after', SERVE_NOTES)
    .action(async (file: string | undefined, options) =>
      setExitCode(await runServe(file, options, context())),
    );

  return program;
}

function positive(text: string): number {
  const value = Number(text);
  if (!(value > 0) || !Number.isFinite(value)) {
    throw new InvalidArgumentError('expected a positive number.');
  }
  return value;
}

// `gapscope report --json | head -1`: the reader went away; that is no error. Later writes are
// dropped and the command ends normally (a demo still stops its service).
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  const closed = error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED';
  if (!closed) process.stderr.write(`gapscope: cannot write the output: ${error}\n`);
});

main(process.argv, { stdout: process.stdout, stderr: process.stderr }).then(
  code => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `gapscope: unexpected failure: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.stderr.write('This is a bug; please report it with the output of --log-level debug.\n');
    process.exitCode = ExitCode.Failure;
  },
);
