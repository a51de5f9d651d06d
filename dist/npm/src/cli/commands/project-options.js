// The options that say which project, stage and AWS account a command works on, shared by plan, deploy, remove
// and sweep (dev takes the project ones).
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { permissionsBoundaryProblem } from "../../config/boundary.js";
import { domainPatternProblem } from "../../config/domain-name.js";
import { checkRegion } from "../../config/region-name.js";
import { stageNameProblem } from "../../config/stage-name.js";
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
export const DOMAIN_OPTION = {
    name: 'domain',
    value: 'NAME',
    description: 'the custom domain clients connect to ("{stage}" is the stage), e.g. "{stage}.ws.example.com"',
    default: "serverless.yml's domain, else none",
};
export const HOSTED_ZONE_OPTION = {
    name: 'hosted-zone',
    value: 'ZONE',
    description: "the Route 53 hosted zone (name or id) where the domain's alias record is written",
    default: "serverless.yml's domain.hostedZone, else none (DNS is yours)",
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
/** What is at `p`: a file, a folder, or nothing. */
function kindAt(p) {
    try {
        return statSync(p).isDirectory() ? 'folder' : 'file';
    }
    catch {
        return 'missing';
    }
}
/** The dir argument and --config, checked: the folder exists and is one, the serverless.yml exists and is a file. */
function checkProject(dir, config, configFile, command) {
    if (dir !== undefined) {
        const kind = kindAt(dir);
        if (kind === 'missing')
            throw new UsageError(`the dir argument "${dir}" does not exist (resolved to ${path.resolve(dir)}) - pass the folder that holds serverless.yml or socket.js`, command);
        if (kind === 'file') {
            const fix = /\.ya?ml$/i.test(dir)
                ? `to use this file, pass --config ${dir}`
                : `pass the folder that holds it: ${path.dirname(dir)}`;
            throw new UsageError(`the dir argument "${dir}" is a file, not a folder - ${fix}`, command);
        }
    }
    if (config === undefined)
        return;
    const kind = kindAt(configFile);
    if (kind === 'missing')
        throw new UsageError(`--config "${config}": no such file (looked for ${path.resolve(configFile)}) - pass the path of your serverless.yml, absolute or relative to the dir argument`, command);
    if (kind === 'folder')
        throw new UsageError(`--config "${config}" is a folder - pass the serverless.yml inside it: --config ${path.join(config, 'serverless.yml')}`, command);
}
export function projectOf(values, positionals, command) {
    const config = stringValue(values, 'config');
    const configFile = configPathFor(positionals[0], config);
    checkProject(positionals[0], config, configFile, command);
    return { configFile, configOptional: config === undefined, component: stringValue(values, 'component') };
}
/** `--stage S`, checked against API Gateway's rule, with the name it probably meant. */
export function stageValue(values, command) {
    const stage = stringValue(values, 'stage');
    const problem = stage === undefined ? undefined : stageNameProblem(stage);
    if (stage === undefined || !problem)
        return stage;
    const fixed = stage
        .replace(/[^A-Za-z0-9_-]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 64);
    throw new UsageError(`--stage "${stage}" is not a valid stage name: ${problem} - e.g. --stage ${fixed || 'dev'}`, command);
}
/**
 * `--region R`, checked before any request: a typo is an error with the closest regions; a well-formed name this
 * version does not know passes (the pipeline warns about it).
 */
export function regionValue(values, command) {
    const region = stringValue(values, 'region');
    if (region === undefined)
        return undefined;
    const check = checkRegion(region, `--region "${region}"`);
    if (!check.ok)
        throw new UsageError(check.problem, command);
    return region;
}
/** `--permissions-boundary ARN`, checked. */
export function permissionsBoundaryValue(values, command) {
    const arn = stringValue(values, 'permissions-boundary');
    const problem = arn === undefined ? undefined : permissionsBoundaryProblem(arn);
    if (problem)
        throw new UsageError(`--permissions-boundary ${problem}`, command);
    return arn;
}
/** `--domain NAME` (`{stage}` allowed), checked as serverless.yml's is. */
export function domainValue(values, command) {
    const name = stringValue(values, 'domain');
    const problem = name === undefined ? undefined : domainPatternProblem(name);
    if (problem)
        throw new UsageError(`--domain ${problem}`, command);
    return name;
}
/** `--hosted-zone ZONE`: a name or an id, checked against the domain by the pipeline. */
export function hostedZoneValue(values) {
    return stringValue(values, 'hosted-zone');
}
/** `--repo owner/name`, checked. */
export function repoValue(values, command) {
    const repo = stringValue(values, 'repo');
    if (repo !== undefined && !/^[\w.-]+\/[\w.-]+$/.test(repo))
        throw new UsageError(`--repo must be OWNER/NAME, e.g. octo/sockets, got "${repo}"`, command);
    return repo;
}
