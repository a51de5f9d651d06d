// The package's version, read from package.json in one place: the CLI's --version and the version tag on AWS resources.
import pkg from '../package.json' with { type: 'json' };
export const VERSION = pkg.version;
