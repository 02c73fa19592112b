/**
 * A response body as loosely typed JSON: tests assert on its shape with Jest matchers, so a
 * static type would only repeat what the assertions already check.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export async function json(res: Response): Promise<Json> {
  return res.json();
}
