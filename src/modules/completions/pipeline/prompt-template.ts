import { AppException, ErrorCode } from '../../../common/errors';

const VARIABLE = /\{\{\s*([A-Za-z_][\w.-]*)\s*\}\}/g;

/** Fills `{{name}}` placeholders; a placeholder without a value is a 400 naming it. */
export function renderPrompt(
  template: string,
  variables: Record<string, string | number | boolean> = {},
): string {
  const missing = new Set<string>();
  const out = template.replace(VARIABLE, (_m, name: string) => {
    const value = variables[name];
    if (value === undefined) {
      missing.add(name);
      return '';
    }
    return String(value);
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
