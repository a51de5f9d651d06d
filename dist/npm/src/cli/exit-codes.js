// What the exit code of `socket-action` means, and which errors get which.
// From pick.ts, not config/index.ts: the index loads the YAML parser, which --help and usage errors do not need.
import { hasDiagnostics } from "../config/diagnosed.js";
import { ComponentChoiceError } from "../config/pick.js";
import { UsageError } from "./usage.js";
export const EXIT_OK = 0;
/** The command ran and failed: AWS, GitHub, the network, a port in use. Retrying may help. */
export const EXIT_FAILED = 1;
/** The input needs fixing: the command line, serverless.yml, socket.js, a missing token. Retrying will not help. */
export const EXIT_USAGE = 2;
export const EXIT_CODES_HELP = `Exit codes:
  0  done
  1  the command failed: AWS, GitHub, the network, a port in use (retrying may help)
  2  fix the input: an unknown command or option, a bad value, serverless.yml or socket.js
     errors, a missing GitHub token or repository, a stage that is not deployed (retrying will not help)`;
export function exitCodeFor(error) {
    if (error instanceof UsageError || error instanceof ComponentChoiceError || hasDiagnostics(error))
        return EXIT_USAGE;
    // src/aws/stage-url.ts, by name: importing it would load the AWS SDK for every usage error.
    if (error?.name === 'StageNotFoundError')
        return EXIT_USAGE;
    return EXIT_FAILED;
}
