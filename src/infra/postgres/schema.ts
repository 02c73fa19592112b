/**
 * Every TypeORM entity and migration of the SQL store, in one list: the schema only changes
 * through migrations (never `synchronize`), and the migration check compares against these.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const SQL_ENTITIES: Function[] = [];
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const SQL_MIGRATIONS: Function[] = [];
