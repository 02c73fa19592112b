/** Routes under /v1 mimic OpenAI, errors included. */
export function isOpenAiRoute(url: string | undefined): boolean {
  return url !== undefined && (url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?'));
}
