import type { Connection, Model, Schema } from 'mongoose';

/**
 * Gets the model from the connection, compiling it once: a second `connection.model(name,
 * schema)` throws, and tests build several adapters on one connection.
 */
export function modelOn<T>(connection: Connection, name: string, schema: Schema<T>): Model<T> {
  const existing = connection.models[name] as Model<T> | undefined;
  return existing ?? connection.model<T>(name, schema);
}
