import { AppException, ErrorCode } from '../../../common/errors';

const VARIABLE = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

/**
 * Longest system prompt a rendering may produce: far beyond any model's context window. A
 * stored prompt of 100,000 characters can hold 20,000 placeholders, so without a bound one
 * variable of a few megabytes would multiply into gigabytes.
 */
export const MAX_RENDERED_PROMPT_CHARS = 2_000_000;

/** Fills `{{name}}` placeholders; a placeholder without a value is a 400 naming it. */
export function renderPrompt(
  template: string,
  variables: Record<string, string | number | boolean> = {},
): string {
  const missing = new Set<string>();
  let length = template.length;
  const out = template.replace(VARIABLE, (placeholder: string, name: string) => {
    // Own values only: `{{constructor}}` must not find Object.prototype's.
    const value = Object.prototype.hasOwnProperty.call(variables, name)
      ? variables[name]
      : undefined;
    if (value === undefined) {
      missing.add(name);
      return '';
    }
    const text = String(value);
    length += text.length - placeholder.length;
    if (length > MAX_RENDERED_PROMPT_CHARS) {
      throw new AppException(
        ErrorCode.VALIDATION_FAILED,
        `The prompt with its variables filled in would exceed ${MAX_RENDERED_PROMPT_CHARS} characters`,
        { param: `variables.${name}` },
      );
    }
    return text;
  });
  if (missing.size > 0) {
    const names = [...missing];
    throw new AppException(
      ErrorCode.VALIDATION_FAILED,
      `Missing prompt variable${names.length > 1 ? 's' : ''}: ${names.join(', ')}`,
      { param: `variables.${names[0]}`, details: { missing_variables: names } },
    );
  }
  return out;
}
