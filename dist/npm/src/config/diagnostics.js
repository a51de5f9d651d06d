export function formatDiagnostic(d) {
    return `${d.file}:${d.line}:${d.column}: ${d.message}`;
}
/** Thrown by loadConfig with every problem found (not only the first). */
export class ConfigError extends Error {
    diagnostics;
    constructor(diagnostics) {
        super(diagnostics.map(formatDiagnostic).join('\n'));
        this.name = 'ConfigError';
        this.diagnostics = diagnostics;
    }
}
