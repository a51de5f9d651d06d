/** The function's environment variable that names the registry's table (the runtime reads it). */
export const TABLE_ENV = 'SOCKET_ACTION_TABLE';
