/** Text holding one id that is not known yet: `prefix` + the id + `suffix`. */
export class Ref {
    fact;
    prefix;
    suffix;
    constructor(fact, prefix = '', suffix = '') {
        this.fact = fact;
        this.prefix = prefix;
        this.suffix = suffix;
    }
    resolve(known) {
        const value = known[this.fact];
        if (value === undefined)
            throw new Error(`internal: \${${this.fact}} is not known yet; an action ran before the one that creates it`);
        return `${this.prefix}${value}${this.suffix}`;
    }
    /** How a plan shows it (JSON, diffs): `${apiId}` in place of the id. */
    toJSON() {
        return `${this.prefix}\${${this.fact}}${this.suffix}`;
    }
    toString() {
        return this.toJSON();
    }
}
export function resolved(value, known) {
    return value instanceof Ref ? value.resolve(known) : value;
}
function resolveValue(value, known) {
    if (value instanceof Ref)
        return value.resolve(known);
    if (Array.isArray(value))
        return value.map((v) => resolveValue(v, known));
    if (value && typeof value === 'object')
        return resolveObject(value, known);
    return value;
}
function resolveObject(value, known) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, known)]));
}
/** A policy document with its references filled in (key order kept, so its JSON is the same text). */
export function resolveDocument(doc, known) {
    return { ...doc, Statement: doc.Statement.map((s) => resolveObject(s, known)) };
}
