// Mistakes in how the command was called: the user fixes the command line, retrying would not help (exit code 2).
export class UsageError extends Error {
    command;
    name = 'UsageError';
    /** The command whose --help explains the fix, if any. */
    constructor(message, command) {
        super(message);
        this.command = command;
    }
}
