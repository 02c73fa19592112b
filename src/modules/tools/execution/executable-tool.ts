/** A tool ready to run: what the executor needs, with headers already decrypted. */
export interface ExecutableTool {
  id: string;
  /** The owning org (keys the compiled-schema cache with `id` and `version`). */
  org_id?: string;
  name: string;
  description?: string;
  /** JSON Schema of the arguments. */
  parameters?: Record<string, unknown>;
  url: string;
  method: string;
  headers: Record<string, string>;
  timeout_ms: number;
  /** Changes whenever the stored tool changes; keys the compiled-schema cache. */
  version?: string;
}

export interface ToolRunResult {
  /** Text fed back to the model: the tool's answer, or an error it can act on. */
  content: string;
  ok: boolean;
  duration_ms: number;
  /** Why it failed, when it did (never sent to the tool). */
  error?:
    | 'unknown_tool'
    | 'invalid_arguments'
    | 'blocked'
    | 'timeout'
    | 'http_error'
    | 'too_large'
    | 'network';
}
