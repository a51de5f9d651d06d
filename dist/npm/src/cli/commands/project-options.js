// The options that say which project, stage and AWS account a command works on, shared by plan, deploy, remove
// and sweep (dev takes the project ones).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { permissionsBoundaryProblem } from "../../config/boundary.js";
import { stringValue } from "../args.js";
import { UsageError } from "../usage.js";
export const DIR_ARGUMENT = { name: 'dir', description: 'the folder with serverless.yml or socket.js (default: .)' };
export const CONFIG_OPTION = {
    name: 'config',
    value: 'F',
    description: 'the serverless.yml to use: a path, or relative to dir; without it, a folder with only socket.js uses every default',
    default: 'dir/serverless.yml',
};
export const COMPONENT_OPTION = {
    name: 'component',
    value: 'NAME',
    description: 'the socket component to use, when serverless.yml has several',
};
export const STAGE_OPTION = {
    name: 'stage',
    value: 'S',
    description: 'the stage',
    default: `serverless.yml's stage, else "dev"`,
};
export const REGION_OPTION = {
    name: 'region',
    value: 'R',
    description: 'the AWS region',
    default: `serverless.yml's region, else us-east-1`,
};
export const REPO_OPTION = {
    name: 'repo',
    value: 'OWNER/NAME',
    description: "the stage's repository tag; the Action tags with its repository",
    default: 'GITHUB_REPOSITORY, else "local"',
};
export const PERMISSIONS_BOUNDARY_OPTION = {
    name: 'permissions-boundary',
    value: 'ARN',
    description: 'the managed policy every function role gets as its permissions boundary',
    default: "serverless.yml's permissionsBoundary, else none",
};
export const JSON_OPTION = { name: 'json', description: 'print the result as JSON on stdout' };
export const AWS_NOTES = `AWS credentials and region come from the standard environment and profile chain (AWS_PROFILE,
AWS_ACCESS_KEY_ID, ..., AWS_ENDPOINT_URL); --region, else serverless.yml's region, picks the region.
Progress goes to stderr: a live line on a terminal, a line every few seconds elsewhere.`;
/** The serverless.yml path for a folder and a --config. */
export function configPathFor(dir, config) {
    const base = dir ?? '.';
    if (config)
        return path.isAbsolute(config) || existsSync(config) ? config : path.join(base, config);
    return path.join(base, 'serverless.yml');
}
export function projectOf(values, positionals) {
    const config = stringValue(values, 'config');
    return {
        configFile: configPathFor(positionals[0], config),
        configOptional: config === undefined,
        component: stringValue(values, 'component'),
    };
}
/** `--permissions-boundary ARN`, checked. */
export function permissionsBoundaryValue(values, command) {
    const arn = stringValue(values, 'permissions-boundary');
    const problem = arn === undefined ? undefined : permissionsBoundaryProblem(arn);
    if (problem)
        throw new UsageError(`--permissions-boundary ${problem}`, command);
    return arn;
}
/** `--repo owner/name`, checked. */
export function repoValue(values, command) {
    const repo = stringValue(values, 'repo');
    if (repo !== undefined && !/^[\w.-]+\/[\w.-]+$/.test(repo))
        throw new UsageError(`--repo must be OWNER/NAME, e.g. octo/sockets, got "${repo}"`, command);
    return repo;
}
