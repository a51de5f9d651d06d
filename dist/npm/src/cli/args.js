// A command's options, declared once: the parser and the --help text both read the same declaration.
import { parseArgs } from 'node:util';
import { didYouMean } from "../config/suggest.js";
import { UsageError } from "./usage.js";
export const HELP_OPTION = { name: 'help', short: 'h', description: 'show this help' };
function optionsOf(spec) {
    return [...spec.options, HELP_OPTION];
}
function wantsHelp(args) {
    const end = args.indexOf('--');
    return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}
function unknownOption(spec, rawName) {
    const known = optionsOf(spec).map((o) => `--${o.name}`);
    const hint = rawName.startsWith('--') ? didYouMean(rawName, known) : undefined;
    return new UsageError(`unknown option "${rawName}" for "socket-action ${spec.name}"${hint ? ` - ${hint}` : ''}`, spec.name);
}
/** Parses `args` (after the command name) against the spec; every mistake is a UsageError naming the option. */
export function parseCommandArgs(spec, args) {
    if (wantsHelp(args))
        return { help: true };
    const declared = optionsOf(spec);
    const byName = new Map(declared.map((o) => [o.name, o]));
    const { tokens } = parseArgs({
        args,
        strict: false,
        allowPositionals: true,
        tokens: true,
        options: Object.fromEntries(declared.map((o) => [
            o.name,
            { type: o.value ? 'string' : 'boolean', ...(o.short ? { short: o.short } : {}) },
        ])),
    });
    const values = {};
    const positionals = [];
    for (const token of tokens) {
        if (token.kind === 'positional')
            positionals.push(token.value);
        if (token.kind !== 'option')
            continue;
        const option = byName.get(token.name);
        if (!option)
            throw unknownOption(spec, token.rawName);
        if (option.value) {
            // `--stage --json`: the next option is not a value.
            if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-') && token.value.length > 1)) {
                throw new UsageError(`option --${option.name} needs a value: --${option.name} ${option.value}`, spec.name);
            }
            const previous = values[option.name];
            values[option.name] =
                option.repeatable && typeof previous === 'string' ? `${previous},${token.value}` : token.value;
        }
        else {
            if (token.inlineValue)
                throw new UsageError(`option --${option.name} takes no value (got "${token.rawName}=${token.value}")`, spec.name);
            values[option.name] = true;
        }
    }
    if (positionals.length > spec.positionals.length) {
        const names = spec.positionals.map((p) => p.name);
        const takes = names.length === 0
            ? 'no arguments'
            : names.length === 1
                ? `one argument (${names[0]})`
                : `at most ${names.length} arguments (${names.join(' ')})`;
        throw new UsageError(`"socket-action ${spec.name}" takes ${takes}, got ${positionals.length}: ${positionals.join(' ')}`, spec.name);
    }
    return { help: false, values, positionals };
}
export function stringValue(values, name) {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
}
export function flag(values, name) {
    return values[name] === true;
}
