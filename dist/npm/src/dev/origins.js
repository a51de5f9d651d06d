// dev's origin decisions (README, "Playground"). API Gateway checks no Origin; a gateway on the developer's own machine
// must: any web page they visit may open ws://127.0.0.1:3001/... (browsers send its Origin) and drive their handlers,
// and a page on a name that resolves to 127.0.0.1 (DNS rebinding) may read what dev serves over plain HTTP.
/** The hosts (`host:port`, lowercase) that name this gateway from the machine it runs on. */
export function ownHosts(listenHost, port) {
    const names = ['127.0.0.1', 'localhost', '[::1]'];
    const hosts = new Set(names.map((name) => `${name}:${port}`));
    // On port 80 browsers send the name alone, in Host and in Origin.
    if (port === 80)
        for (const name of names)
            hosts.add(name);
    // A specific address (--host 192.168.1.20) names it too; a wildcard (0.0.0.0, ::) is no host a browser asks for.
    if (listenHost !== '0.0.0.0' && listenHost !== '::' && listenHost !== '') {
        const name = (listenHost.includes(':') ? `[${listenHost}]` : listenHost).toLowerCase();
        hosts.add(`${name}:${port}`);
        if (port === 80)
            hosts.add(name);
    }
    return hosts;
}
/** The gateway's own origins: its hosts over http. */
export function ownOrigins(listenHost, port) {
    return new Set([...ownHosts(listenHost, port)].map((host) => `http://${host}`));
}
/**
 * Whether a WebSocket handshake with this Origin header may go on: no Origin (wscat, ws, servers: not a browser), the
 * gateway's own origin (the playground), or one `--allow-origin` names.
 */
export function originAllowed(origin, own, allow) {
    if (origin === undefined)
        return true;
    if (allow === '*')
        return true;
    const normalized = origin.trim().toLowerCase();
    return own.has(normalized) || allow.includes(normalized);
}
/**
 * `--allow-origin` values (repeatable, or a comma list) as origins, or a message saying what is wrong with one. An origin
 * is `scheme://host[:port]` (what a browser sends: no path, no trailing slash), `null` (file:// pages, sandboxed
 * frames) or `*`.
 */
export function parseAllowedOrigins(values) {
    const origins = [];
    for (const value of values.flatMap((v) => v.split(',')).map((v) => v.trim())) {
        if (value === '*')
            return '*';
        if (value === 'null') {
            origins.push('null');
            continue;
        }
        let url;
        try {
            url = new URL(value);
        }
        catch { }
        const origin = url && url.origin !== 'null' ? url.origin : undefined;
        if (!origin || value.replace(/\/$/, '').toLowerCase() !== origin.toLowerCase()) {
            return {
                error: `--allow-origin takes origins as browsers send them (scheme://host[:port], no path), "null" or "*", got "${value}"${origin ? `: did you mean "${origin}"?` : ''}`,
            };
        }
        origins.push(origin.toLowerCase());
    }
    return origins;
}
