import { responseProblem } from './envelope';
import type { RawResponse } from './raw-http';

/**
 * Asserts a refusal: the status, the envelope (OpenAI's shape on /v1) with the request id and
 * the security headers, and a message naming what was wrong.
 */
export function expectRefusal(
  res: RawResponse,
  req: { method: string; path: string },
  status: number,
  message?: RegExp,
): void {
  const problem = responseProblem(req.path, req.method, res);
  if (problem !== undefined || res.status !== status) {
    throw new Error(
      `${req.method} ${req.path.slice(0, 120)}: expected ${status} in the envelope, got ${res.status}` +
        `${problem ? ` (${problem})` : ''}: ${res.text.slice(0, 300)}`,
    );
  }
  if (message) {
    const body = JSON.parse(res.text) as { error: { message: string } };
    if (!message.test(body.error.message)) {
      throw new Error(`message ${JSON.stringify(body.error.message)} does not match ${message}`);
    }
  }
}
