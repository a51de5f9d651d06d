// The `socket-action` command line: picks the command, parses its options, runs it, and turns errors into messages
// and exit codes (exit-codes.ts).
import { didYouMean } from "../config/suggest.js";
import { parseCommandArgs } from "./args.js";
import { devCommand } from "./commands/dev.js";
import { initCommand } from "./commands/init.js";
import { logsCommand } from "./commands/logs.js";
import { deployCommand, planCommand, removeCommand, rollbackCommand } from "./commands/stage-commands.js";
import { sweepCommand } from "./commands/sweep.js";
import { urlCommand } from "./commands/url.js";
import { hasDiagnostics } from "../config/diagnosed.js";
import { EXIT_OK, EXIT_USAGE, exitCodeFor } from "./exit-codes.js";
import { commandHelp, overviewHelp } from "./help.js";
import { UsageError } from "./usage.js";
import { VERSION } from "../version.js";
export const COMMANDS = [
    initCommand,
    devCommand,
    planCommand,
    deployCommand,
    removeCommand,
    rollbackCommand,
    sweepCommand,
    urlCommand,
    logsCommand,
];
const HELP = overviewHelp(COMMANDS.map((c) => c.spec));
/** Prints an error for a person: diagnostics one per line, a usage error with where to read more, else its message. */
export function reportError(error, write = (l) => console.error(l)) {
    if (hasDiagnostics(error)) {
        for (const d of error.diagnostics)
            write(`${d.file}:${d.line}:${d.column}: error: ${d.message}`);
    }
    else if (error instanceof UsageError) {
        write(`error: ${error.message}`);
        write(error.command ? `See "socket-action ${error.command} --help".` : 'See "socket-action --help".');
    }
    else {
        write(`error: ${error instanceof Error ? error.message : String(error)}`);
    }
}
function commandNamed(name) {
    const command = COMMANDS.find((c) => c.spec.name === name);
    if (command)
        return command;
    const names = COMMANDS.map((c) => c.spec.name);
    const hint = didYouMean(name, names);
    throw new UsageError(`unknown command "${name}"${hint ? ` - ${hint}` : `; the commands are ${names.join(', ')}`}`);
}
export async function main(argv) {
    const [name, ...rest] = argv;
    try {
        switch (name) {
            case undefined:
                process.stderr.write(HELP);
                return EXIT_USAGE;
            case '-h':
            case '--help':
                process.stdout.write(HELP);
                return EXIT_OK;
            case 'help':
                // `socket-action help deploy` is `socket-action deploy --help`.
                process.stdout.write(rest[0] ? commandHelp(commandNamed(rest[0]).spec) : HELP);
                return EXIT_OK;
            case '-v':
            case '--version':
                console.log(VERSION);
                return EXIT_OK;
        }
        if (name.startsWith('-'))
            throw new UsageError(`"${name}" is not a command; options come after it, e.g. socket-action deploy ${name}`);
        const command = commandNamed(name);
        const parsed = parseCommandArgs(command.spec, rest);
        if (parsed.help) {
            process.stdout.write(commandHelp(command.spec));
            return EXIT_OK;
        }
        return await command.run(parsed.values, parsed.positionals);
    }
    catch (error) {
        reportError(error);
        return exitCodeFor(error);
    }
}
