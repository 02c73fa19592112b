import type { OrgRecord, RecordFields } from '../../infra/document-store/org-record';

export const TOOL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type ToolMethod = (typeof TOOL_METHODS)[number];

export const TOOL_ID_PREFIX = 'tool';
/** OpenAI's rule for function names, which every provider accepts. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
export const DEFAULT_TOOL_TIMEOUT_MS = 10_000;
export const DEFAULT_TOOL_PARAMETERS: Record<string, unknown> = {
  type: 'object',
  properties: {},
};

/** A tool as stored: the headers are sealed (AES-256-GCM); only their names are kept in clear. */
export interface StoredTool extends OrgRecord {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  url: string;
  method: ToolMethod;
  /** Sealed JSON object of header name -> value; null when the tool sends no extra headers. */
  headers_sealed: string | null;
  header_names: string[];
  timeout_ms: number;
}

export type StoredToolFields = RecordFields<StoredTool>;

/** A tool as the API shows it: header values never leave the gateway. */
export type Tool = Omit<StoredTool, 'headers_sealed'>;

/** A tool ready to run: what the completion pipeline's executor needs, headers decrypted. */
export interface ExecutableTool extends Tool {
  headers: Record<string, string>;
  /** Changes whenever the stored tool changes (keys compiled-schema caches). */
  version: string;
}

/** Binds a tool's sealed headers to its org and id, so a copied ciphertext does not open. */
export const toolHeadersContext = (orgId: string, toolId: string): string =>
  `tool-headers:${orgId}:${toolId}`;
