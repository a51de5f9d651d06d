// Helpers of the AWS reads (observe and the lookups beside it): a read that finds nothing, and every page of a list.
import { isNotFound } from "./errors.js";
/** The read's answer, or undefined when AWS says the resource does not exist. */
export async function orUndefined(read) {
    try {
        return await read;
    }
    catch (error) {
        if (isNotFound(error))
            return undefined;
        throw error;
    }
}
/** Every item of a paginated list, one page after another. */
export async function allPages(fetch) {
    const out = [];
    let token;
    do {
        const page = await fetch(token);
        out.push(...(page.items ?? []));
        token = page.next;
    } while (token);
    return out;
}
