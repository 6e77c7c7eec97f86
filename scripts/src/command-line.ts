// The sandbox's commands (`pnpm dev`, `pnpm bench`, `pnpm open`) read their arguments with node:util's
// parseArgs, strictly: an unknown option (a typo such as --no-wach), a value where none belongs or a stray
// argument is refused with the usage line and exit code 2, as shell tools do, instead of being ignored;
// --help (-h) prints the usage and exits 0.
import { type ParseArgsConfig, parseArgs } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/** What the command line says: the options' values and the positional arguments, or why it is refused. */
export function parseCommandLine<const O extends Options>(
  args: readonly string[],
  spec: { options: O; positionals?: number },
) {
  try {
    const parsed = parseArgs({
      args: [...args],
      options: { ...spec.options, ...HELP },
      strict: true,
      allowNegative: true,
      allowPositionals: (spec.positionals ?? 0) > 0,
    });
    if (parsed.positionals.length > (spec.positionals ?? 0))
      return { refused: `unexpected argument '${parsed.positionals.at(-1)}'` } as const;
    return {
      ...parsed,
      help: (parsed.values as { help?: boolean }).help === true,
      refused: undefined,
    } as const;
  } catch (error) {
    // parseArgs names the option and what is wrong with it (ERR_PARSE_ARGS_*); anything else is a bug here.
    if (!String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_')) throw error;
    return { refused: (error as Error).message } as const;
  }
}

/** parseCommandLine for a command's own process: prints the usage and exits on --help or a refusal. */
export function readCommandLine<const O extends Options>(
  usage: string,
  spec: { options: O; positionals?: number },
  args: readonly string[] = process.argv.slice(2),
) {
  const line = parseCommandLine(args, spec);
  if (line.refused !== undefined) {
    console.error(`${line.refused}\n${usage}`);
    process.exit(2);
  }
  if (line.help) {
    console.log(usage);
    process.exit(0);
  }
  return line;
}
