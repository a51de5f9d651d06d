export function hasDiagnostics(error) {
    return error instanceof Error && Array.isArray(error.diagnostics);
}
