/**
 * The injection token of the default mongoose connection: the value `getConnectionToken()` of
 * @nestjs/mongoose returns (its spec checks they agree). Kept as a constant so that code which
 * only needs the token (optional injections, repository factories) does not load mongoose and
 * the MongoDB driver in deployments without MONGODB_URI, where they would cost ~16 MB of memory.
 */
export const MONGO_CONNECTION = 'DatabaseConnection';
